import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  manifestForTopology,
  processHosting,
  type Topology,
  type TopologyProcess,
} from '../components/topology';
import { run as runProvisioner } from '../streams/provision-streams';
import { freePort, listensOn, type RunningNats, startNats } from '../testing/nats-server';
import { loadManifest } from './load-manifest';
import { renderNatsConfig } from './nats-config';
import { STREAM_PROVISIONER_USER } from './permissions';
import { provisionedStreams } from '../components/stream-provisioner';
import { databaseUrlKey } from '../components/switchboard-service';
import { MONOLITH_TOPOLOGY, SERVICES_TOPOLOGY } from '../testing/topologies';

/**
 * The built processes of a topology as a deployment runs them: each with its own least-privilege
 * NATS user from the generated config (in the monolith one user, the union of its domains'
 * rights), `EVENTS_STREAMS=verify`, and the streams created by the provisioner — the only user
 * allowed to. Flows across every domain must work with exactly these grants. (SQLite keeps the
 * databases out of the picture: NATS permissions are what this is about.)
 */
const ROOT = join(__dirname, '..', '..');
const provisionerPassword = 'provisioner-pw';

interface RunningService {
  url: string;
  process: ChildProcess;
  output: () => string;
  stop(): Promise<number | null>;
}

function entryOf(process: TopologyProcess): string {
  return join(ROOT, 'dist', 'services', process.host, 'main.js');
}

function tokenFor(user: string): string {
  return execFileSync(process.execPath, [join(ROOT, 'tools', 'scripts', 'token.mjs'), user], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
}

describe.each([SERVICES_TOPOLOGY, MONOLITH_TOPOLOGY])(
  'topology $name deployed with least-privilege NATS users',
  (topology: Topology) => {
    const manifest = manifestForTopology(loadManifest(), topology);
    const processes = topology.processes;
    const passwords = Object.fromEntries(
      processes.map((process) => [process.name, `${process.name}-pw`]),
    );
    /** The process hosting `domain` (the gateway for `gateway`). */
    const processFor = (domain: string): TopologyProcess =>
      domain === 'gateway'
        ? (processes.find((process) => process.host === 'gateway') as TopologyProcess)
        : processHosting(topology, domain);
    let nats: RunningNats;
    let dataDir: string;
    const running: RunningService[] = [];

    beforeAll(async () => {
      for (const process of processes) {
        if (!existsSync(entryOf(process))) {
          throw new Error(`${entryOf(process)} is missing: build the services first`);
        }
      }
      dataDir = mkdtempSync(join(tmpdir(), 'sb-deployed-'));
      const monitorPort = await freePort();
      nats = await startNats((storeDir) =>
        renderNatsConfig({ manifest, passwords, provisionerPassword, storeDir, monitorPort }),
      );
    });

    afterAll(async () => {
      await Promise.all(running.map((service) => service.stop()));
      await nats?.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    // As the stacks wire them (infra/components/process-wiring.ts, switchboard-service.ts).
    function envOf(service: TopologyProcess, port: number): NodeJS.ProcessEnv {
      return {
        PATH: process.env['PATH'],
        HOST: '127.0.0.1',
        PORT: String(port),
        NATS_URL: `nats://127.0.0.1:${nats.port}`,
        NATS_USER: service.name,
        NATS_PASSWORD: passwords[service.name],
        ...Object.fromEntries(
          service.domains.map((domain) => [
            databaseUrlKey(domain),
            `sqlite:${join(dataDir, `${domain}.sqlite`)}`,
          ]),
        ),
        ...(service.host === 'monolith'
          ? { SERVICE_NAME: service.name, HOST_DOMAINS: service.domains.join(',') }
          : {}),
        DB_MIGRATE: 'true',
        EVENTS_STREAMS: 'verify',
        LOG_LEVEL: 'warn',
        ...(service.host === 'gateway' ? { GATEWAY_UPSTREAMS_BUCKET: '' } : {}),
      };
    }

    /**
     * Starts a built process; resolves when it is ready, rejects with its output if it exits. Ready
     * means its own answer: a suite running in parallel may take the port first, and then this one
     * starts again on another.
     */
    async function start(service: TopologyProcess, attempt = 1): Promise<RunningService> {
      const port = await freePort();
      const child = spawn(process.execPath, [entryOf(service)], {
        env: envOf(service, port),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const url = `http://127.0.0.1:${port}`;
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      const deadline = Date.now() + 20_000;
      for (;;) {
        const code = await Promise.race([exited, sleep(200).then(() => 'waiting' as const)]);
        if (code !== 'waiting') {
          if (attempt < 3 && output.includes('EADDRINUSE')) return start(service, attempt + 1);
          throw Object.assign(new Error(`${service.name} exited with ${code}:\n${output}`), {
            code,
            output,
          });
        }
        const ready = await fetch(`${url}/health/ready`).then(
          (response) => response.ok,
          () => false,
        );
        if (ready && listensOn(child.pid, port)) break;
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error(`${service.name} was not ready within 20 s:\n${output}`);
        }
      }
      const handle: RunningService = {
        url,
        process: child,
        output: () => output,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      };
      running.push(handle);
      return handle;
    }

    it('refuses to start a service before the streams exist, naming the missing ones', async () => {
      const failure = (await start(processFor('chat')).then(
        () => undefined,
        (error: unknown) => error,
      )) as { code: number; output: string } | undefined;
      expect(failure?.code).toBe(1);
      expect(failure?.output).toMatch(/CHAT is missing/);
      expect(failure?.output).toContain('EVENTS_STREAMS');
    });

    it('lets the provisioner create every stream with its own user', async () => {
      const lines: string[] = [];
      const code = await runProvisioner(
        {
          NATS_URL: `nats://127.0.0.1:${nats.port}`,
          NATS_USER: STREAM_PROVISIONER_USER,
          NATS_PASSWORD: provisionerPassword,
          STREAMS: JSON.stringify(provisionedStreams(manifest, 1)),
          STREAMS_CONNECT_TIMEOUT_MS: '5000',
        },
        { log: (line) => lines.push(line), error: (line) => lines.push(line) },
      );
      expect({ code, lines }).toEqual({
        code: 0,
        lines: manifest.streams.map((stream) => `created ${stream.name}`),
      });
    });

    describe('with the streams provisioned', () => {
      const started = new Map<string, RunningService>();
      /** The running process that hosts `domain`. */
      const hostOf = (domain: string) => started.get(processFor(domain).name) as RunningService;
      const alice = { authorization: '', 'content-type': 'application/json' };
      const bob = { authorization: '', 'content-type': 'application/json' };

      beforeAll(async () => {
        const handles = await Promise.all(processes.map((process) => start(process)));
        processes.forEach((process, index) => started.set(process.name, handles[index]));
        alice.authorization = `Bearer ${tokenFor('alice')}`;
        bob.authorization = `Bearer ${tokenFor('bob')}`;
      }, 60_000);

      const call = async <T>(
        domain: string,
        path: string,
        headers: Record<string, string>,
        body?: unknown,
      ): Promise<{ status: number; body: T }> => {
        const response = await fetch(`${hostOf(domain).url}${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await response.text();
        if (response.status >= 500) {
          // A server error here is a bug (or a refused permission): show what the service logged.
          throw new Error(
            `${domain} answered ${response.status}: ${text}\n${hostOf(domain).output()}`,
          );
        }
        return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
      };

      it('runs chat → event → bots → RPC → chat: /echo is answered', async () => {
        const conversation = await call<{ id: string }>('chat', '/conversations', alice, {
          title: 'deployed',
          memberIds: ['bob'],
        });
        expect(conversation.status).toBe(201);
        const sent = await call('chat', `/conversations/${conversation.body.id}/messages`, alice, {
          text: '/echo least privilege',
        });
        expect(sent.status).toBe(201);
        const reply = await eventually(async () => {
          const { body } = await call<{ items: { text: string; sender: { kind: string } }[] }>(
            'chat',
            `/conversations/${conversation.body.id}/messages`,
            alice,
          );
          return body.items.find((message) => message.sender.kind === 'bot');
        });
        expect(reply.text).toBe('least privilege');
      });

      it('runs stories → RPC to chat for contacts, story reply → event → chat', async () => {
        const story = await call<{ id: string }>('stories', '/stories', alice, {
          text: 'deployed',
        });
        expect(story.status).toBe(201);
        // bob's contacts come from chat over RPC: alice's story is in his feed, not stale.
        const feed = await call<{ items: { authorId: string }[]; contactsStale: boolean }>(
          'stories',
          '/feed',
          bob,
        );
        expect(feed.body).toEqual({
          items: [expect.objectContaining({ authorId: 'alice' })],
          contactsStale: false,
        });
        const replied = await call('stories', `/stories/${story.body.id}/replies`, bob, {
          text: 'seen it',
        });
        expect(replied.status).toBe(201);
        const direct = await eventually(async () => {
          const { body } = await call<{
            items: { kind: string; lastMessage?: { text: string } }[];
          }>('chat', '/conversations', alice);
          return body.items.find(
            (conversation) =>
              conversation.kind === 'direct' && conversation.lastMessage?.text === 'seen it',
          );
        });
        expect(direct.kind).toBe('direct');
      });

      it('shuts every process down cleanly', async () => {
        const handles = [...started.values()];
        const codes = await Promise.all(handles.map((handle) => handle.stop()));
        expect(codes).toEqual(handles.map(() => 0));
        // The server logs "Publish Violation" / "Subscription Violation"; clients "Permissions
        // Violation": none of either for any process.
        for (const handle of handles) expect(handle.output()).not.toMatch(/Violation/i);
        expect(nats.output()).not.toMatch(/Violation/i);
        // Users are configured with bcrypt hashes: the server has no clear password to warn about.
        expect(nats.output()).not.toContain('Plaintext passwords detected');
      });
    });
  },
);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `probe` returns something, for up to 10 s. */
async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('gave up after 10 s');
    await sleep(100);
  }
}
