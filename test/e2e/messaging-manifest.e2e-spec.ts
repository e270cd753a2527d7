import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from './services';

interface Manifest {
  services: Record<
    string,
    {
      domains: string[];
      answers: string[];
      calls: string[];
      publishes: string[];
      consumes: { subject: string; stream: string; consumer: string }[];
    }
  >;
}

/**
 * infra/generated/messaging-manifest.json is what the deployment's NATS permissions are generated
 * from; it must be what the built services report, and the services must fit together.
 */
describe('the messaging manifest', () => {
  const manifest = JSON.parse(
    readFileSync(join(workspaceRoot, 'infra', 'generated', 'messaging-manifest.json'), 'utf8'),
  ) as Manifest;
  const services = Object.values(manifest.services);

  it('matches what the built services report', () => {
    const check = () =>
      execFileSync(
        process.execPath,
        [join(workspaceRoot, 'tools', 'scripts', 'messaging-manifest.mjs'), '--check'],
        { encoding: 'utf8', stdio: 'pipe' },
      );
    expect(check()).toContain('up to date');
  }, 30_000);

  it('has every RPC a service calls answered by exactly one service, the one hosting its domain', () => {
    for (const service of services) {
      for (const subject of service.calls) {
        const answering = services.filter((other) => other.answers.includes(subject));
        expect({ subject, by: answering.map((other) => other.domains) }).toEqual({
          subject,
          by: [expect.arrayContaining([subject.split('.')[1]])],
        });
      }
    }
  });

  it('has every consumed event published by the service hosting its domain', () => {
    for (const service of services) {
      for (const { subject } of service.consumes) {
        const owner = services.find((other) => other.domains.includes(subject.split('.')[1] ?? ''));
        expect({ subject, published: owner?.publishes.includes(subject) }).toEqual({
          subject,
          published: true,
        });
      }
    }
  });
});
