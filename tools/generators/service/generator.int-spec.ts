import { signDevToken } from '@switchboard/platform-auth';
import {
  freePort,
  spawnService,
  startNatsServer,
  TEST_JWT_SECRET,
  type TestNatsServer,
  WorkspaceCopy,
} from '@switchboard/platform-testing';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Runs a command in the copy; fails the test with its output when it exits non-zero. */
function run(copy: WorkspaceCopy, command: string, args: string[]): string {
  const result = spawnSync(command, args, {
    cwd: copy.root,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_SKIP_NX_CACHE: 'true', CI: 'true' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed:\n${output.slice(-6000)}`);
  return output;
}

const nx = (copy: WorkspaceCopy, ...args: string[]) =>
  run(copy, join(copy.root, 'node_modules', '.bin', 'nx'), args);
const runJest = (copy: WorkspaceCopy, config: string, pattern: string) =>
  run(copy, process.execPath, [
    join(copy.root, 'node_modules', 'jest', 'bin', 'jest.js'),
    '-c',
    config,
    '--testPathPatterns',
    pattern,
  ]);

/**
 * The service generator on a copy of this workspace, then the message generator (an RPC and an
 * event) on the new domain, with zero manual edits afterwards: what they write passes its own lint,
 * typecheck and tests and the workspace's checks that list every service and message, and the
 * service starts as `npm start` starts it.
 */
describe('nx g @switchboard/tools:service notes, then :message (in a copy of the workspace)', () => {
  let copy: WorkspaceCopy;

  beforeAll(() => {
    copy = WorkspaceCopy.create('service-generator-');
    nx(copy, 'g', '@switchboard/tools:service', 'notes', '--no-interactive');
    // And a message of each kind in it: their handler, consumer and tests run with the rest below.
    nx(copy, 'g', '@switchboard/tools:message', 'notes', 'count-notes', '--kind', 'rpc');
    nx(copy, 'g', '@switchboard/tools:message', 'notes', 'note.archived', '--kind', 'event');
  }, 180_000);

  afterAll(() => copy?.remove());

  it('writes the domain, its contracts and host, and names it everywhere a service is named', () => {
    const changed = copy.git('status', '--porcelain').split('\n');
    for (const path of [
      '?? libs/notes/',
      '?? libs/contracts/src/lib/notes/',
      '?? services/notes/',
      '?? infra/docker/service/Pulumi.notes-dev.yaml',
      '?? infra/kubernetes/service/Pulumi.notes-staging.yaml',
      ' M libs/contracts/src/lib/registry.ts',
      ' M tsconfig.base.json',
      ' M eslint.config.mjs',
      ' M tools/scripts/lib/services.mjs',
      ' M topologies/services.json',
      ' M topologies/monolith.json',
      ' M services/monolith/src/main.ts',
      ' M libs/gateway/src/lib/gateway.config.ts',
      ' M deploy/src/deployable/deployable.ts',
      ' M README.md',
      ' M infra/generated/messaging-manifest.json',
    ]) {
      expect(changed).toContain(path);
    }
    const manifest = JSON.parse(
      readFileSync(join(copy.root, 'infra/generated/messaging-manifest.json'), 'utf8'),
    ) as { services: Record<string, { answers: string[]; publishes: string[] }> };
    expect(manifest.services['notes']).toMatchObject({
      answers: ['rpc.notes.count-notes.v1', 'rpc.notes.get-note.v1'],
      publishes: ['evt.notes.note.archived.v1', 'evt.notes.note.created.v1'],
      consumes: [
        expect.objectContaining({ subject: 'evt.notes.note.archived.v1', stream: 'NOTES' }),
      ],
    });
  });

  it('refuses a name that is taken or cannot be a subject token, and a message twice, writing nothing', () => {
    const before = copy.git('status', '--porcelain');
    for (const name of ['chat', 'Notes2', 'gateway']) {
      expect(() => nx(copy, 'g', '@switchboard/tools:service', name, '--no-interactive')).toThrow(
        /already a service or project named "(chat|gateway)"|'Notes2' should match the pattern/,
      );
    }
    expect(() =>
      nx(copy, 'g', '@switchboard/tools:message', 'notes', 'count-notes', '--kind', 'rpc'),
    ).toThrow('rpc.notes.count-notes.v1 exists already: a changed message is a new version (…v2)');
    expect(() =>
      nx(copy, 'g', '@switchboard/tools:message', 'ledger', 'count-notes', '--kind', 'rpc'),
    ).toThrow('No domain "ledger"');
    expect(copy.git('status', '--porcelain')).toBe(before);
  });

  it("passes the new projects' lint, typecheck and tests, and the checks that list every service", () => {
    nx(
      copy,
      'run-many',
      '-t',
      'lint',
      'typecheck',
      'test',
      '-p',
      'notes-domain',
      'notes',
      'contracts',
    );
    runJest(
      copy,
      'tools/jest.config.js',
      'topologies|dockerfiles|readme-contracts|contracts.cli.spec',
    );
    runJest(copy, 'deploy/jest.config.js', 'local-environment.spec|run-pulumi.spec');
    runJest(copy, 'infra/jest.config.js', 'platform-stack.spec|service-stack.spec');
  }, 600_000);

  describe('started as npm start starts it', () => {
    let nats: TestNatsServer;

    beforeAll(async () => {
      nats = await startNatsServer();
      nx(copy, 'run', 'notes:build');
    }, 180_000);

    afterAll(() => nats?.stop());

    it('listens on its port, migrates its SQLite database and answers through its API', async () => {
      // What `npm start` runs: the default topology's process, on its own port.
      const topology = JSON.parse(
        readFileSync(join(copy.root, 'topologies/services.json'), 'utf8'),
      ) as { processes: { name: string; port: number }[] };
      expect(topology.processes.find((process) => process.name === 'notes')?.port).toBe(3105);
      const port = await freePort();
      const notes = await spawnService({
        name: 'notes',
        entry: join(copy.root, 'dist/services/notes/main.js'),
        port,
        env: {
          NODE_ENV: 'development',
          NATS_URL: nats.url,
          DATABASE_URL: `sqlite:${join(copy.root, '.switchboard/data/notes.sqlite')}`,
          DB_MIGRATE: 'true',
          AUTH_JWT_SECRET: TEST_JWT_SECRET,
        },
      });
      try {
        const token = await signDevToken('alice', TEST_JWT_SECRET);
        const response = await fetch(`${notes.url}/notes`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ text: 'first note' }),
        });
        expect(response.status).toBe(201);
        expect(await response.json()).toMatchObject({ authorId: 'alice', text: 'first note' });
      } finally {
        expect(await notes.stop()).toBe(0);
      }
    }, 60_000);
  });
});
