import { signDevToken } from '@switchboard/platform-auth';
import {
  createTestEnvironment,
  freePort,
  spawnService,
  type ServiceProcess,
  TEST_JWT_SECRET,
  type TestEnvironment,
  WORKSPACE_ROOT,
} from '@switchboard/platform-testing';
import { execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, ReleaseStore } from '../releases/release-store';
import { renderStatus, statusOf } from '../releases/status.command';
import { gatewayReadiness } from '../run/gate';
import { digestOf, packageDir } from '../run/package-release';
import { LocalEnvironment } from './local-environment';
import { LocalTarget } from './local-target';

/**
 * The local target's switch and gate for a process hosting several domains (the monolith), against
 * a real gateway watching the upstreams bucket on a real NATS: one release takes over every route
 * of its domains at once, its answers on all of them are judged together, and handing them back
 * restores the configured upstreams. Then `deploy run` and `deploy rollback` of `chat-bots`, the
 * mixed topology's process run from the monolith host, through the same gateway.
 */
describe('the local target switching a process of several domains', () => {
  let env: TestEnvironment;
  let gateway: ServiceProcess;
  let release: Server;
  let releaseUrl: string;
  let target: LocalTarget;
  let token: string;
  let botsAnswer = 200;
  const hits: string[] = [];

  const get = async (path: string) => {
    const response = await fetch(`${gateway.url}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await response.arrayBuffer();
    return response.status;
  };
  const upstreams = async () =>
    (await gatewayReadiness(gateway.url))?.details?.upstreams as Record<
      string,
      { release?: string }
    >;

  beforeAll(async () => {
    env = await createTestEnvironment([]);
    release = createServer((request, response) => {
      hits.push(request.url ?? '');
      // The gateway strips /api/<domain>: /api/bots/bots arrives as /bots.
      const status = request.url?.startsWith('/bots') ? botsAnswer : 200;
      response.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
    const port = await freePort();
    await new Promise<void>((resolve) => release.listen(port, '127.0.0.1', resolve));
    releaseUrl = `http://127.0.0.1:${port}`;
    const environment = LocalEnvironment.parse({ natsUrl: env.nats.url, gateSeconds: 1 });
    // Opening the target creates the bucket the gateway then watches.
    target = await LocalTarget.open(environment);
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    gateway = await spawnService({
      name: 'gateway',
      entry: join(WORKSPACE_ROOT, 'dist', 'services', 'gateway', 'main.js'),
      port: await freePort(),
      env: env.envWithoutDatabase({
        HOST: '127.0.0.1',
        GATEWAY_UPSTREAMS: `chat=${nowhere},bots=${nowhere}`,
        GATEWAY_RATE_LIMIT_PER_USER: '0',
        GATEWAY_RATE_LIMIT_PER_IP: '0',
      }),
    });
    // The target's gateways: this one.
    (environment.gateways as string[]).splice(0, 1, gateway.url);
    token = await signDevToken('alice', TEST_JWT_SECRET);
  }, 60_000);

  afterAll(async () => {
    await target?.close();
    await gateway?.stop();
    await new Promise((resolve) => release?.close(resolve));
    await env?.stop();
  });

  it('moves every domain of the process to the release in one switch', async () => {
    // Nothing listens at the configured upstreams.
    expect(await get('/api/chat/conversations')).toBe(503);
    await target.switchTo(['chat', 'bots'], [releaseUrl], 'a'.repeat(40));
    expect(await get('/api/chat/conversations')).toBe(200);
    expect(await get('/api/bots/bots')).toBe(200);
    expect(hits.filter((path) => !path.startsWith('/health'))).toEqual(['/conversations', '/bots']);
    const seen = await upstreams();
    expect([seen['chat']?.release, seen['bots']?.release]).toEqual([
      'a'.repeat(40),
      'a'.repeat(40),
    ]);
  });

  it('judges the answers of all its domains together in the health gate', async () => {
    botsAnswer = 500;
    const load = (async () => {
      for (let i = 0; i < 20; i++)
        await get(i % 2 === 0 ? '/api/chat/conversations' : '/api/bots/bots');
    })();
    await load;
    // The first test's two requests count too: the gateway counts since the switch.
    expect(await target.gate(['chat', 'bots'], releaseUrl, process.pid)).toMatch(
      /10 of 22 requests answered 5xx/,
    );
    // Chat alone answered well: judging one domain of the process would have let it through.
    expect(await target.gate(['chat'], releaseUrl, process.pid)).toBeUndefined();
    botsAnswer = 200;
  });

  it('hands every domain back to the configured upstreams', async () => {
    await target.switchToConfigured(['chat', 'bots']);
    const seen = await upstreams();
    expect([seen['chat']?.release, seen['bots']?.release]).toEqual([undefined, undefined]);
    expect(await get('/api/bots/bots')).toBe(503);
  });

  describe('deploy run and rollback of chat-bots, which the mixed topology runs from the monolith host', () => {
    let root: string;
    const shas = { first: '', second: '' };
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
    const mainOf = (sha: string) => join(packageDir(root, 'monolith', sha), 'main.js');
    const data = (domain: string) =>
      `sqlite:${join(root, '.switchboard', 'data', `${domain}.sqlite`)}`;

    function deploy(...args: string[]): Promise<{ code: number | null; output: string }> {
      return new Promise((resolve) => {
        const child = spawn(
          process.execPath,
          [
            '-r',
            join(WORKSPACE_ROOT, 'deploy', 'register.cjs'),
            join(WORKSPACE_ROOT, 'deploy', 'src', 'main.ts'),
            ...args,
          ],
          { cwd: root, env: { ...process.env, FORCE_COLOR: '0' } },
        );
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += String(chunk)));
        child.stderr.on('data', (chunk: Buffer) => (output += String(chunk)));
        child.on('close', (code) => resolve({ code, output }));
      });
    }
    const ok = (result: { code: number | null; output: string }) => ({
      code: result.code,
      output: result.code === 0 ? '' : result.output,
    });
    /** What `deploy status --env mixed` says of a process. */
    const statusOfProcess = (service: string) =>
      statusOf(root, 'mixed').find((entry) => entry.service === service);
    /** What answered a route through the gateway: the stand-in monolith's account of itself. */
    const answerOf = async (path: string): Promise<StandInAnswer> => {
      const response = await fetch(`${gateway.url}${path}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return {
        status: response.status,
        release: response.headers.get('x-service-release'),
        ...((await response.json()) as Omit<StandInAnswer, 'status' | 'release'>),
      };
    };
    const startedWith = (sha: string) => ({
      status: 200,
      release: sha,
      main: mainOf(sha),
      pid: expect.any(Number),
      env: {
        SERVICE_NAME: 'chat-bots',
        HOST_DOMAINS: 'chat,bots',
        DATABASE_URL_CHAT: data('chat'),
        DATABASE_URL_BOTS: data('bots'),
        SERVICE_RELEASE: sha,
        LOG_LEVEL: 'warn',
      },
    });

    beforeAll(() => {
      // A repository of two commits holding only the topologies: with each commit's package
      // installed and --skip-checks, `deploy` needs nothing else of a checkout.
      root = realpathSync(mkdtempSync(join(tmpdir(), 'switchboard-chat-bots-')));
      cpSync(join(WORKSPACE_ROOT, 'topologies'), join(root, 'topologies'), { recursive: true });
      git('init', '-q', '-b', 'main');
      git('config', 'user.email', 'pipeline-test@switchboard.invalid');
      git('config', 'user.name', 'pipeline test');
      git('add', '-A');
      git('commit', '-q', '-m', 'first');
      shas.first = git('rev-parse', 'HEAD');
      git('commit', '-q', '--allow-empty', '-m', 'second');
      shas.second = git('rev-parse', 'HEAD');
      mkdirSync(join(root, '.switchboard', 'environments'), { recursive: true });
      writeFileSync(
        join(root, '.switchboard', 'environments', 'mixed.json'),
        JSON.stringify({
          natsUrl: env.nats.url,
          topology: 'mixed',
          gateways: [gateway.url],
          services: { 'chat-bots': { env: { LOG_LEVEL: 'warn' } } },
          gateSeconds: 1,
          readyTimeoutSeconds: 20,
        }),
      );
      // The monolith host's packages of both commits, as the environment's monolith deploys left
      // them before it moved to mixed: a package is the host's, so chat-bots reuses them (building
      // and installing the real monolith would cost what run.int-spec.ts spends on chat).
      const store = ReleaseStore.forWorkspace(root, 'mixed');
      for (const sha of [shas.first, shas.second]) {
        const app = packageDir(root, 'monolith', sha);
        mkdirSync(join(app, 'node_modules'), { recursive: true });
        writeFileSync(join(app, 'main.js'), STAND_IN_MONOLITH);
        const { id } = store.create({
          service: 'monolith',
          env: 'mixed',
          sha,
          digest: digestOf(app),
          deployedBy: 'pipeline test',
        });
        store.update(id, { result: 'superseded', finishedAt: new Date().toISOString() });
      }
    });

    afterAll(() => {
      if (root === undefined) return;
      for (const release of ReleaseStore.forWorkspace(root, 'mixed').all()) {
        if (isAlive(release.pid)) process.kill(release.pid as number, 'SIGKILL');
      }
      rmSync(root, { recursive: true, force: true });
    });

    it('starts the monolith package as chat-bots, records it under chat-bots, and switches chat and bots to it', async () => {
      const result = await deploy(
        'run',
        'chat-bots',
        '--env',
        'mixed',
        '--skip-checks',
        '--sha',
        shas.first,
      );
      expect(ok(result)).toEqual({ code: 0, output: '' });
      expect(result.output).toContain(
        `reusing the monolith package already built for ${shas.first.slice(0, 12)}`,
      );
      expect(result.output).toContain('start: monolith as chat-bots, ready at');
      const chat = await answerOf('/api/chat/conversations');
      expect(chat).toEqual(startedWith(shas.first));
      // One process behind both routes.
      expect(await answerOf('/api/bots/bots')).toEqual(chat);
      const seen = await upstreams();
      expect([seen['chat']?.release, seen['bots']?.release]).toEqual([shas.first, shas.first]);
      expect(statusOfProcess('chat-bots')).toMatchObject({
        live: { service: 'chat-bots', host: 'monolith', sha: shas.first, pid: chat.pid },
      });
      expect(
        existsSync(join(root, '.switchboard', 'releases', 'chat-bots', shas.first, 'logs')),
      ).toBe(true);
    }, 60_000);

    it('replaces it with the next commit on both domains and drains the first', async () => {
      const before = await answerOf('/api/chat/conversations');
      const result = await deploy('run', 'chat-bots', '--env', 'mixed', '--skip-checks');
      expect(ok(result)).toEqual({ code: 0, output: '' });
      const chat = await answerOf('/api/chat/conversations');
      expect(chat).toEqual(startedWith(shas.second));
      expect(await answerOf('/api/bots/bots')).toEqual(chat);
      expect(isAlive(before.pid)).toBe(false);
      expect(statusOfProcess('chat-bots')).toMatchObject({
        live: { host: 'monolith', sha: shas.second },
        previous: { host: 'monolith', sha: shas.first, result: 'superseded' },
      });
    }, 60_000);

    it('deploy rollback chat-bots goes back to the first monolith package, on both domains', async () => {
      const before = await answerOf('/api/bots/bots');
      const result = await deploy('rollback', 'chat-bots', '--env', 'mixed');
      expect(ok(result)).toEqual({ code: 0, output: '' });
      const bots = await answerOf('/api/bots/bots');
      expect(bots).toEqual(startedWith(shas.first));
      expect(await answerOf('/api/chat/conversations')).toEqual(bots);
      expect(isAlive(before.pid)).toBe(false);
      expect(statusOfProcess('chat-bots')).toMatchObject({
        live: { service: 'chat-bots', host: 'monolith', sha: shas.first, pid: bots.pid },
      });
      const text = renderStatus('mixed', statusOf(root, 'mixed'));
      expect(text).toMatch(
        new RegExp(`^chat-bots ${shas.first.slice(0, 12)} .*\\(host monolith\\)$`, 'm'),
      );
    }, 60_000);

    it('refuses the monolith, which mixed runs only as chat-bots, naming what it runs', async () => {
      const refusal = {
        code: 2,
        output:
          'deploy: monolith: the environment runs topology mixed, which has no process monolith ' +
          '(it runs chat-bots, stories, calls, gateway); set "topology" in its environment file\n',
      };
      expect(
        await Promise.all([
          deploy('run', 'monolith', '--env', 'mixed'),
          deploy('rollback', 'monolith', '--env', 'mixed'),
        ]),
      ).toEqual([refusal, refusal]);
    }, 60_000);
  });
});

interface StandInAnswer {
  status: number;
  release: string | null;
  main: string;
  pid: number;
  env: Record<string, string | undefined>;
}

/**
 * A stand-in for the monolith's bundle: ready at once, and every answer says which file it was
 * started from, its pid and the environment it got.
 */
const STAND_IN_MONOLITH = `const { createServer } = require('node:http');
const keys = ['SERVICE_NAME', 'HOST_DOMAINS', 'DATABASE_URL_CHAT', 'DATABASE_URL_BOTS', 'SERVICE_RELEASE', 'LOG_LEVEL'];
createServer((request, response) => {
  response.writeHead(200, {
    'content-type': 'application/json',
    'x-service-release': process.env.SERVICE_RELEASE || '',
  });
  response.end(JSON.stringify({
    main: __filename,
    pid: process.pid,
    env: Object.fromEntries(keys.map((key) => [key, process.env[key]])),
  }));
}).listen(Number(process.env.PORT), process.env.HOST);
process.on('SIGTERM', () => process.exit(0));
`;
