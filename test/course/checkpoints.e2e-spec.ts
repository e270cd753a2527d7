import { Gateway } from '@switchboard/contracts';
import {
  createTestEnvironment,
  freePort,
  spawnService,
  spawnTopologyProcess,
  type ServiceProcess,
  type TestEnvironment,
  topologyProcesses,
  type TopologyProcess,
} from '@switchboard/platform-testing';
import { execFile } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { DOMAINS, entryOf, workspaceRoot } from '../e2e/services';

interface Outcome {
  code: number | null;
  out: string;
}

/** `npm run checkpoint -- <args>` as a student runs it: its exit code and what it printed. */
function checkpoint(...args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(workspaceRoot, 'tools', 'course', 'checkpoint.mjs'), ...args],
      { cwd: workspaceRoot, env: { ...process.env, NX_DAEMON: 'false' }, timeout: 120_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          out: stdout + stderr,
        }),
    );
  });
}

/** Processes of a topology and the gateway routing each domain to its host, as `npm start` runs them. */
interface Running {
  processes: { process: TopologyProcess; service: ServiceProcess }[];
  gateway: ServiceProcess;
  /** running.json, as `npm start` writes it. */
  file: string;
  stop(): Promise<(number | null)[]>;
}

/**
 * The course's tests: each checkpoint passes on the state its lesson reaches and fails, saying what
 * to do, on the state before it — against real processes from the build, a real gateway, NATS and
 * Postgres, a real lint and a real benchmark run.
 */
describe('the extraction course: npm run checkpoint -- <lesson>', () => {
  let env: TestEnvironment;
  let scratch: string;

  beforeAll(async () => {
    env = await createTestEnvironment(DOMAINS);
    scratch = mkdtempSync(join(tmpdir(), 'checkpoints-'));
  }, 60_000);

  afterAll(async () => {
    await env?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  async function start(
    name: string,
    processes: TopologyProcess[],
    extra: Record<string, Record<string, string>> = {},
  ): Promise<Running> {
    const hosts = processes.filter((process) => process.host !== 'gateway');
    const started = await Promise.all(
      hosts.map(async (process) => ({
        process,
        service: await spawnTopologyProcess({
          workspaceRoot,
          env,
          process,
          port: await freePort(),
          extra: extra[process.name] ?? {},
        }),
      })),
    );
    const upstreams = started.flatMap(({ process, service }) =>
      (process.domains ?? []).map((domain) => `${domain}=${service.url}`),
    );
    const gateway = await spawnService({
      name: 'gateway',
      entry: entryOf('gateway'),
      port: await freePort(),
      env: env.envWithoutDatabase({
        HOST: '127.0.0.1',
        GATEWAY_UPSTREAMS: upstreams.join(','),
      }),
    });
    const file = join(scratch, `running-${name}.json`);
    const entry = (process: TopologyProcess, service: ServiceProcess) => ({
      name: process.name,
      host: process.host,
      domains: process.domains ?? [],
      url: service.url,
      pid: service.pid,
    });
    writeFileSync(
      file,
      JSON.stringify({
        topology: name,
        natsUrl: env.nats.url,
        gateway: gateway.url,
        processes: [
          ...started.map(({ process, service }) => entry(process, service)),
          entry({ name: 'gateway', host: 'gateway' }, gateway),
        ],
      }),
    );
    return {
      processes: started,
      gateway,
      file,
      stop: () =>
        Promise.all([gateway, ...started.map(({ service }) => service)].map((s) => s.stop())),
    };
  }

  it('says how to start the system when nothing runs, and refuses a lesson that does not exist', async () => {
    const nothing = await checkpoint('1', '--running', join(scratch, 'absent.json'));
    expect(nothing.code).toBe(1);
    expect(nothing.out).toContain('✘ the system is running');
    expect(nothing.out).toContain('nothing is running');
    expect(nothing.out).toContain('npm start -- --topology');

    const wrong = await checkpoint('7');
    expect(wrong.code).toBe(2);
    expect(wrong.out).toContain('expected one lesson number, 1 to 6');
  });

  it('has a lesson in docs/extraction for every checkpoint, each ending with its command', async () => {
    const help = await checkpoint('--help');
    const lessons = [...help.out.matchAll(/^ {2}(\d) .*? (docs\/extraction\/\S+\.md)$/gm)];
    expect(lessons.map(([, number]) => number)).toEqual(['1', '2', '3', '4', '5', '6']);
    const index = readFileSync(join(workspaceRoot, 'docs', 'extraction', 'README.md'), 'utf8');
    for (const [, number, doc] of lessons) {
      const text = readFileSync(join(workspaceRoot, doc as string), 'utf8');
      expect(text).toContain(`npm run checkpoint -- ${number}`);
      expect(index).toContain(`(${(doc as string).replace('docs/extraction/', '')})`);
    }
  });

  describe('lesson 1, on the monolith', () => {
    let running: Running;

    beforeAll(async () => {
      running = await start('monolith', topologyProcesses(workspaceRoot, 'monolith'));
    }, 90_000);

    afterAll(async () => {
      expect(await running?.stop()).toEqual([0, 0]);
    });

    it('passes: one process hosts the four domains and /echo is answered once', async () => {
      const outcome = await checkpoint('1', '--running', running.file);
      expect(outcome.out).toContain('✔ one process hosts chat, stories, calls and bots');
      expect(outcome.out).toContain('✔ every /echo is answered exactly once');
      expect(outcome.out).toContain('Checkpoint 1 passed.');
      expect(outcome.code).toBe(0);
    }, 60_000);

    it('fails lesson 3 until bots is extracted, and says how', async () => {
      const outcome = await checkpoint('3', '--running', running.file);
      expect(outcome.code).toBe(1);
      expect(outcome.out).toContain(
        'bots is hosted by monolith together with chat, stories, calls',
      );
      expect(outcome.out).toContain('docs/extraction/3-extract-bots.md');
      expect(outcome.out).toContain(
        '· every /echo is answered exactly once (5 messages, chat → bots → chat) (not checked',
      );
    }, 60_000);
  });

  describe('lessons 3, 4 and 6, with bots and calls extracted', () => {
    const SHA = 'c0ffee'.padEnd(40, '0');
    let running: Running;
    let nats: NatsConnection;

    beforeAll(async () => {
      // The pipeline's switch, the gateway watches it from the start.
      nats = await connect({ servers: env.nats.url });
      await nats.jetstream().views.kv(Gateway.UPSTREAMS_BUCKET);
      running = await start(
        'course',
        [
          { name: 'monolith', host: 'monolith', domains: ['chat', 'stories'] },
          { name: 'bots', host: 'bots', domains: ['bots'] },
          { name: 'calls', host: 'calls', domains: ['calls'] },
          // As the pipeline starts a release: its responses name the sha.
        ],
        { bots: { SERVICE_RELEASE: SHA } },
      );
    }, 90_000);

    afterAll(async () => {
      await nats?.close();
      expect(await running?.stop()).toEqual([0, 0, 0, 0]);
    });

    it('passes lessons 3 and 4: bots and calls alone, /echo and calls across processes', async () => {
      const three = await checkpoint('3', '--running', running.file);
      expect(three.out).toContain('✔ bots runs in a process of its own');
      expect(three.out).toContain('from monolith to bots and back, over NATS');
      expect(three.code).toBe(0);

      const four = await checkpoint('4', '--running', running.file);
      expect(four.out).toContain('✔ calls runs in a process of its own');
      expect(four.out).toMatch(/✔ a call starts in a conversation.*carol refused \(403\)/);
      expect(four.code).toBe(0);
    }, 90_000);

    it('fails lesson 1: the domains run in three processes', async () => {
      const outcome = await checkpoint('1', '--running', running.file);
      expect(outcome.code).toBe(1);
      expect(outcome.out).toContain('the domains run in 3 processes');
      expect(outcome.out).toContain('npm start -- --topology monolith');
    });

    it('tells a stale running.json from the system that answers', async () => {
      const stale = join(scratch, 'stale.json');
      const [monolith] = running.processes;
      writeFileSync(
        stale,
        JSON.stringify({
          topology: 'services',
          gateway: running.gateway.url,
          processes: [
            { name: 'chat', host: 'chat', domains: ['chat'], url: monolith?.service.url },
          ],
        }),
      );
      const outcome = await checkpoint('3', '--running', stale);
      expect(outcome.code).toBe(1);
      expect(outcome.out).toContain('is monolith, not chat: running.json is stale');
    });

    it('passes lesson 6 once bots has a live release the gateway routes to', async () => {
      const releases = join(scratch, 'releases.json');
      const before = await checkpoint('6', '--running', running.file, '--releases', releases);
      expect(before.code).toBe(1);
      expect(before.out).toContain('npm run deploy -- run bots --env local');

      // What `deploy run bots --env local` leaves: a live release and the gateway switched to it.
      const bots = running.processes.find(({ process }) => process.name === 'bots')?.service;
      const release = {
        service: 'bots',
        env: 'local',
        sha: SHA,
        result: 'live',
        url: bots?.url,
        finishedAt: new Date().toISOString(),
      };
      writeFileSync(
        releases,
        JSON.stringify({ version: 1, releases: [{ ...release, pid: bots?.pid }] }),
      );
      const notSwitched = await checkpoint('6', '--running', running.file, '--releases', releases);
      expect(notSwitched.code).toBe(1);
      expect(notSwitched.out).toContain(
        'the gateway says bots is served by its configured upstream',
      );

      const kv = await nats.jetstream().views.kv(Gateway.UPSTREAMS_BUCKET);
      await kv.put('bots', JSON.stringify({ urls: [bots?.url], release: SHA }));
      const after = await checkpoint('6', '--running', running.file, '--releases', releases);
      expect(after.out).toContain(`✔ the gateway routes bots to that release`);
      expect(after.out).toContain('Checkpoint 6 passed.');
      expect(after.code).toBe(0);
    }, 90_000);
  });

  describe('lesson 2: the boundaries', () => {
    it('passes on this workspace: lint refuses a domain importing another, and none does', async () => {
      const outcome = await checkpoint('2');
      expect(outcome.out).toContain('✔ lint refuses a domain importing another');
      expect(outcome.out).toContain(
        'can only depend on libs tagged with "type:platform", "type:contracts"',
      );
      expect(outcome.out).toContain('✔ no domain lib imports another');
      expect(outcome.code).toBe(0);
    }, 120_000);

    it("fails where the lesson's experiment is left in, naming the file", async () => {
      // A copy of the workspace's libs and config, with bots importing chat.
      const copy = join(scratch, 'workspace');
      mkdirSync(copy);
      for (const entry of [
        'package.json',
        'package-lock.json',
        'nx.json',
        'tsconfig.base.json',
        'eslint.config.mjs',
        'libs',
      ]) {
        cpSync(join(workspaceRoot, entry), join(copy, entry), {
          recursive: true,
          filter: (source) => !/[/\\](node_modules|dist|coverage)$/.test(source),
        });
      }
      symlinkSync(join(workspaceRoot, 'node_modules'), join(copy, 'node_modules'));
      writeFileSync(
        join(copy, 'libs', 'bots', 'src', 'lib', 'leak.ts'),
        "import { ChatModule } from '@switchboard/chat';\n\nexport const leak = ChatModule;\n",
      );
      const outcome = await checkpoint('2', '--workspace', copy);
      expect(outcome.out).toContain('✘ no domain lib imports another');
      expect(outcome.out).toMatch(
        /libs\/bots\/src\/lib\/leak\.ts:1 A project tagged with "type:domain"/,
      );
      expect(outcome.code).toBe(1);
    }, 120_000);
  });

  describe('lesson 5: the hop, from a real benchmark run', () => {
    it('reads the benchmark result and prints what one hop over NATS adds', async () => {
      const result = join(scratch, 'rpc.json');
      const bench = await new Promise<Outcome>((resolve) =>
        execFile(
          process.execPath,
          [
            '-r',
            '@swc-node/register',
            'bench/src/main.ts',
            '--impl',
            'platform,in-process',
            '--concurrency',
            '1',
            '--duration',
            '1',
            '--warmup',
            '0.5',
            '--rounds',
            '1',
            '--out',
            result,
          ],
          { cwd: workspaceRoot, env: { ...process.env, SWC_NODE_PROJECT: 'bench/tsconfig.json' } },
          (error, stdout, stderr) => resolve({ code: error ? 1 : 0, out: stdout + stderr }),
        ),
      );
      expect(bench.code).toBe(0);

      const outcome = await checkpoint('5', '--bench', result);
      expect(outcome.out).toMatch(
        /c=1: p50 [\d.]+ µs in-process, [\d.]+ µs over NATS → the hop adds -?[\d.]+ µs/,
      );
      expect(outcome.code).toBe(0);

      const missing = await checkpoint('5', '--bench', join(scratch, 'none.json'));
      expect(missing.code).toBe(1);
      expect(missing.out).toContain('no benchmark result');
    }, 120_000);
  });
});
