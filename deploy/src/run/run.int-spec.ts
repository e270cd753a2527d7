import { signDevToken } from '@switchboard/platform-auth';
import {
  createTestEnvironment,
  freePort,
  spawnService,
  type ServiceProcess,
  TEST_JWT_SECRET,
  type TestEnvironment,
  WORKSPACE_ROOT,
  WorkspaceCopy,
} from '@switchboard/platform-testing';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ServiceStatus } from '../releases/status.command';

/** What the load generator saw: every answer's status and the release that gave it. */
interface Load {
  stop(): Promise<{ total: number; failed: string[]; releases: Set<string> }>;
}

/**
 * The pipeline on the `local` target, for real: a gateway process (from the build) in front, chat
 * released from commits of a copy of the workspace by `deploy run` — built, packaged with its own
 * `npm ci --omit=dev`, started next to the live release, switched to through the gateway's KV
 * bucket, gated and drained — while a load generator posts and reads through the gateway.
 */
describe('deploy run / status / rollback on the local target (real processes, real NATS and Postgres)', () => {
  let copy: WorkspaceCopy;
  let env: TestEnvironment;
  let gateway: ServiceProcess;
  let token: string;
  let conversationId: string;
  const shas: Record<string, string> = {};

  function deploy(...args: string[]): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        ['-r', './deploy/register.cjs', 'deploy/src/main.ts', ...args],
        {
          cwd: copy.root,
          env: { ...process.env, NX_DAEMON: 'false', FORCE_COLOR: '0' },
        },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += String(chunk)));
      child.stderr.on('data', (chunk: Buffer) => (output += String(chunk)));
      child.on('close', (code) => resolve({ code, output }));
    });
  }

  const status = async (): Promise<ServiceStatus[]> => {
    const result = await deploy('status', '--env', 'local', '--json');
    return JSON.parse(result.output) as ServiceStatus[];
  };

  /** Posts a message and reads the conversation back, over and over, through the gateway. */
  function startLoad(): Load {
    let running = true;
    let total = 0;
    const failed: string[] = [];
    const releases = new Set<string>();
    const one = async (index: number): Promise<void> => {
      const post = index % 2 === 0;
      const url = `${gateway.url}/api/chat/conversations/${conversationId}/messages`;
      try {
        const response = await fetch(url, {
          method: post ? 'POST' : 'GET',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: post ? JSON.stringify({ text: `load ${index}` }) : undefined,
          signal: AbortSignal.timeout(10_000),
        });
        await response.arrayBuffer();
        total++;
        releases.add(response.headers.get('x-service-release') ?? 'none');
        if (response.status !== (post ? 201 : 200))
          failed.push(`${post ? 'POST' : 'GET'} → ${response.status}`);
      } catch (error) {
        total++;
        failed.push(`${post ? 'POST' : 'GET'} → ${(error as Error).message}`);
      }
    };
    const workers = Array.from({ length: 4 }, async (_, worker) => {
      for (let index = worker; running; index += 4) await one(index);
    });
    return {
      async stop() {
        running = false;
        await Promise.all(workers);
        return { total, failed, releases };
      },
    };
  }

  beforeAll(async () => {
    copy = WorkspaceCopy.create('switchboard-pipeline-');
    env = await createTestEnvironment(['chat']);
    gateway = await spawnService({
      name: 'gateway',
      entry: join(WORKSPACE_ROOT, 'dist', 'services', 'gateway', 'main.js'),
      port: await freePort(),
      env: env.envWithoutDatabase({
        HOST: '127.0.0.1',
        // Nothing serves chat until the first deploy switches the gateway to it.
        GATEWAY_UPSTREAMS: `chat=http://127.0.0.1:${await freePort()}`,
        GATEWAY_RATE_LIMIT_PER_USER: '0',
        GATEWAY_RATE_LIMIT_PER_IP: '0',
      }),
    });
    mkdirSync(join(copy.root, '.switchboard', 'environments'), { recursive: true });
    writeFileSync(
      join(copy.root, '.switchboard', 'environments', 'local.json'),
      JSON.stringify({
        natsUrl: env.nats.url,
        gateways: [gateway.url],
        services: {
          chat: {
            env: {
              ...env.envFor('chat'),
              SHUTDOWN_GRACE_MS: '500',
            },
          },
        },
        gateSeconds: 4,
        readyTimeoutSeconds: 60,
      }),
    );
    token = await signDevToken('alice', TEST_JWT_SECRET);
    shas['first'] = copy.git('rev-parse', 'HEAD');
  }, 120_000);

  afterAll(async () => {
    // Stop every release process this suite started, then the gateway and the environment.
    for (const entry of (await status().catch(() => [])) as ServiceStatus[]) {
      if (entry.live?.pid) process.kill(entry.live.pid, 'SIGTERM');
    }
    await gateway?.stop();
    await env?.stop();
    copy?.remove();
  }, 60_000);

  it('a first deploy builds, packages and starts chat, and switches the gateway to it', async () => {
    const result = await deploy('run', 'chat', '--env', 'local', '--skip-checks');
    expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({
      code: 0,
      output: '',
    });
    for (const step of [
      'checkout',
      'build',
      'package',
      'start',
      'switch',
      'health gate',
      'drain',
    ]) {
      expect(result.output).toContain(step);
    }
    const created = await fetch(`${gateway.url}/api/chat/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'pipeline', memberIds: ['bob'] }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-service-release')).toBe(shas['first']);
    conversationId = ((await created.json()) as { id: string }).id;
  }, 300_000);

  it('replaces it with a new commit under load: no request fails, and the new sha answers', async () => {
    writeFileSync(
      join(copy.root, 'libs/chat/src/lib/release-note.ts'),
      "export const NOTE = 'second';\n",
    );
    shas['second'] = copy.commitAll('second chat release');
    const load = startLoad();
    const result = await deploy('run', 'chat', '--env', 'local', '--skip-checks');
    const seen = await load.stop();
    expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({
      code: 0,
      output: '',
    });
    expect(seen.failed).toEqual([]);
    expect(seen.total).toBeGreaterThan(20);
    expect([...seen.releases].sort()).toEqual([shas['first'], shas['second']].sort());
    const [chat] = await status();
    expect(chat).toMatchObject({
      service: 'chat',
      live: { sha: shas['second'], result: 'live', running: true },
      previous: { sha: shas['first'], result: 'superseded' },
    });
    // The release record keeps what it changed against the one before (`deploy report`).
    expect(chat?.live?.changes).toMatchObject({
      base: shas['first'],
      report: {
        name: 'chat',
        affectedBy: [{ file: 'libs/chat/src/lib/release-note.ts', via: ['chat-domain', 'chat'] }],
        attention: [],
      },
    });
    const text = await deploy('status', '--env', 'local');
    expect(text.output).toContain(`changed since ${shas['first']?.slice(0, 12)}: 1 file`);
  }, 300_000);

  it('does not switch to a release that never becomes ready; the live one keeps serving', async () => {
    const file = join(copy.root, '.switchboard', 'environments', 'local.json');
    const good = readFileSync(file, 'utf8');
    const config = JSON.parse(good) as {
      services: { chat: { env: Record<string, string> } };
      readyTimeoutSeconds: number;
    };
    // The database is gone for this release only: it boots, but /health/ready never says 200.
    config.services.chat.env['DATABASE_URL'] =
      `postgres://postgres@127.0.0.1:${await freePort()}/nowhere`;
    config.readyTimeoutSeconds = 8;
    writeFileSync(file, JSON.stringify(config));
    const load = startLoad();
    const result = await deploy('run', 'chat', '--env', 'local', '--skip-checks');
    const seen = await load.stop();
    writeFileSync(file, good);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/failed at "start"/);
    expect(seen.failed).toEqual([]);
    expect([...seen.releases]).toEqual([shas['second']]);
    const [chat] = await status();
    expect(chat).toMatchObject({
      live: { sha: shas['second'] },
      lastAttempt: { result: 'failed', failedStep: 'start' },
    });
  }, 300_000);

  it('stops at the checks a commit that does not typecheck, checking what changed since the live release', async () => {
    const main = join(copy.root, 'services/chat/src/main.ts');
    const good = readFileSync(main, 'utf8');
    writeFileSync(main, `${good}\nexport const port: number = 'not a number';\n`);
    const broken = copy.commitAll('a type error in the chat host');
    const result = await deploy('run', 'chat', '--env', 'local');
    copy.git('reset', '-q', '--hard', 'HEAD~1');
    expect(result.code).toBe(1);
    // Only the host changed since the live release: its checks, not those of all it is built from.
    expect(result.output).toContain(
      `failed at "checks": lint, typecheck, test of chat (changed since the live ${shas['second']?.slice(0, 12)}) failed`,
    );
    expect(result.output).toContain("Type 'string' is not assignable to type 'number'");
    const [chat] = await status();
    expect(chat).toMatchObject({
      live: { sha: shas['second'] },
      lastAttempt: { sha: broken, result: 'failed', failedStep: 'checks' },
    });
  }, 300_000);

  it('rolls back automatically a release that answers 5xx under traffic, and records why', async () => {
    // A release whose message listing throws: ready, but every GET of messages is a 500.
    const controller = 'libs/chat/src/lib/http/messages.http.controller.ts';
    const source = readFileSync(join(copy.root, controller), 'utf8');
    writeFileSync(join(copy.root, controller), injectFailure(source));
    shas['broken'] = copy.commitAll('a release that fails');
    // Shipped by --sha with a later commit checked out: built from a worktree of it.
    writeFileSync(join(copy.root, 'docs/after-the-bug.md'), 'A later commit.\n');
    copy.commitAll('a later commit');
    const load = startLoad();
    const result = await deploy(
      'run',
      'chat',
      '--env',
      'local',
      '--skip-checks',
      '--sha',
      shas['broken'],
    );
    const seen = await load.stop();
    expect(result.code).toBe(1);
    expect(result.output).toContain(`checkout: a worktree of ${shas['broken'].slice(0, 12)}`);
    expect(result.output).toMatch(/failed at "health gate"/);
    expect(existsSync(join(copy.root, '.switchboard', 'worktrees', shas['broken']))).toBe(false);
    expect(seen.failed.length).toBeGreaterThan(0);
    // After the rollback the previous release answers again, and nothing fails.
    const after = startLoad();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const calm = await after.stop();
    expect(calm.failed).toEqual([]);
    expect([...calm.releases]).toEqual([shas['second']]);
    const [chat] = await status();
    expect(chat).toMatchObject({
      live: { sha: shas['second'] },
      lastAttempt: { sha: shas['broken'], result: 'rolled-back', failedStep: 'health gate' },
    });
    expect(chat?.lastAttempt?.reason).toMatch(/answered 5xx/);
  }, 300_000);

  it('deploy rollback goes back to the release before, with no failed request', async () => {
    const load = startLoad();
    const result = await deploy('rollback', 'chat', '--env', 'local');
    const seen = await load.stop();
    expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({
      code: 0,
      output: '',
    });
    expect(seen.failed).toEqual([]);
    const [chat] = await status();
    expect(chat?.live?.sha).toBe(shas['first']);
    const answer = await fetch(`${gateway.url}/api/chat/conversations/${conversationId}/messages`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(answer.headers.get('x-service-release')).toBe(shas['first']);
  }, 300_000);
});

/** Makes chat's message listing throw: a release with a bug, that still boots and is ready. */
function injectFailure(source: string): string {
  const body = '    return this.listMessages.execute(';
  if (!source.includes(body)) throw new Error('the message listing to break was not found');
  return source.replace(
    body,
    `    if (params.id) throw new Error('a bug in this release');\n${body}`,
  );
}
