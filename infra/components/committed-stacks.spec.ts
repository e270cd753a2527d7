import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseServiceStack } from '../docker/catalogue';
import { DEFAULT_TOPOLOGY, loadTopology } from './topology';

/**
 * Every committed stack file of both targets agrees with its environment: a service stack names a
 * process of its topology, and that topology is its platform's (the program refuses a mismatch at
 * `pulumi up`; this catches it in review).
 */
describe.each([
  ['docker', 'platform', 'service'],
  ['kubernetes', 'platform-k8s', 'service-k8s'],
])('committed %s stacks', (target, platformProject, serviceProject) => {
  const dir = join(__dirname, '..', target);
  const stacksIn = (program: string) =>
    readdirSync(join(dir, program))
      .filter((file) => /^Pulumi\.[a-z0-9-]+\.yaml$/.test(file) && file !== 'Pulumi.yaml')
      .map((file) => ({
        stack: file.slice('Pulumi.'.length, -'.yaml'.length),
        yaml: readFileSync(join(dir, program, file), 'utf8'),
      }));
  const topologyIn = (yaml: string, project: string) =>
    new RegExp(`^\\s*${project}:topology:\\s*(\\S+)\\s*$`, 'm').exec(yaml)?.[1] ?? DEFAULT_TOPOLOGY;
  const platforms = new Map(
    stacksIn('platform').map(({ stack, yaml }) => [
      stack.replace(/^platform-/, ''),
      topologyIn(yaml, platformProject),
    ]),
  );

  it('have a platform per environment, in a topology that exists', () => {
    expect([...platforms.keys()].sort()).toEqual(['dev', 'solo', 'staging']);
    for (const topology of platforms.values()) expect(() => loadTopology(topology)).not.toThrow();
  });

  it.each(stacksIn('service').map(({ stack, yaml }) => [stack, yaml]))(
    '%s names a process of its platform’s topology',
    (stack, yaml) => {
      const topology = loadTopology(topologyIn(yaml, serviceProject));
      const { env } = parseServiceStack(stack, topology);
      expect({ env, topology: topology.name }).toEqual({ env, topology: platforms.get(env) });
      expect(yaml).toContain(
        `${serviceProject}:platformStack: organization/${platformProject}/platform-${env}`,
      );
    },
  );
});
