import { signDevToken } from '@switchboard/platform-auth';
import {
  TEST_JWT_SECRET,
  topologyProcessEntry,
  topologyProcessEnv,
} from '@switchboard/platform-testing';
import { spawn } from 'node:child_process';
import { json, workspaceRoot } from './services';
import { e2eTopology, processHosting, startSystem, type System } from './system';

/** The readiness status the service settles on within its grace period after a signal. */
async function readinessAfterSignal(url: string): Promise<number | undefined> {
  let status: number | undefined;
  for (let attempt = 0; attempt < 20 && status !== 503; attempt += 1) {
    status = (await fetch(`${url}/health/ready`).catch(() => undefined))?.status;
    if (status !== 503) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return status;
}

/** The lifecycle of the process hosting chat — chat alone, or with every other domain it hosts. */
describe(`the process hosting chat: config and shutdown (${e2eTopology()})`, () => {
  let system: System;
  let headers: Record<string, string>;

  beforeAll(async () => {
    // info: when shutdown fails, the lines printed below say which step it was in.
    system = await startSystem(['chat'], { chat: { SHUTDOWN_GRACE_MS: '150', LOG_LEVEL: 'info' } });
    headers = {
      authorization: `Bearer ${await signDevToken('alice', TEST_JWT_SECRET)}`,
      'content-type': 'application/json',
    };
  }, 60_000);

  afterAll(async () => {
    const codes = await system?.stop();
    expect(codes?.every((code) => code === 0)).toBe(true);
  });

  it("refuses to start with chat's DATABASE_URL_CHAT=nonsense, naming the key", async () => {
    const host = processHosting('chat');
    const child = spawn(process.execPath, [topologyProcessEntry(workspaceRoot, host)], {
      env: {
        ...process.env,
        ...topologyProcessEnv(system.env, host),
        DATABASE_URL_CHAT: 'nonsense',
        PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(output).toMatch(/DATABASE_URL_CHAT: is not a database URL/);
    // A process start, bounded like this file's other ones: a loaded 2-core CI machine takes
    // seconds to load a monolith's code before its configuration is even read.
  }, 30_000);

  it('loses no acknowledged message when SIGTERM lands in a burst of 200 posts', async () => {
    const chat = system.processOf('chat');
    const conversation = await json<{ id: string }>(
      await fetch(`${chat.url}/conversations`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ title: 'burst' }),
      }),
    );

    const acknowledged: string[] = [];
    const outcomes = { acknowledged: 0, refused: 0, failed: 0 };
    let sent = 0;
    let readinessDuringShutdown: number | undefined;
    const postOne = async (n: number) => {
      try {
        const response = await fetch(`${chat.url}/conversations/${conversation.id}/messages`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ text: `burst ${n}` }),
        });
        if (response.ok) {
          acknowledged.push((await json<{ id: string }>(response)).id);
          outcomes.acknowledged += 1;
        } else {
          outcomes.refused += 1;
        }
      } catch {
        outcomes.failed += 1; // connection refused or reset: the client knows it was not stored
      }
    };
    // 10 concurrent senders; SIGTERM once 60 have been sent, while the rest are still coming.
    const senders = Array.from({ length: 10 }, async () => {
      while (sent < 200) {
        const n = sent++;
        if (n === 60) {
          process.kill(chat.pid, 'SIGTERM');
          readinessDuringShutdown = await readinessAfterSignal(chat.url);
        }
        await postOne(n);
      }
    });
    await Promise.all(senders);
    const exitCode = await chat.waitForExit();
    process.stdout.write(
      `burst of 200 with SIGTERM after 60: ${JSON.stringify(outcomes)}, exit code ${exitCode}\n`,
    );
    if (exitCode !== 0)
      process.stdout.write(
        `${chat.name}'s last log lines:\n${chat.logs().slice(-40).join('\n')}\n`,
      );
    expect(exitCode).toBe(0);
    expect(readinessDuringShutdown).toBe(503);
    expect(outcomes.acknowledged).toBeGreaterThanOrEqual(60);

    // Back on the same port, on the same database: every acknowledged message is there.
    expect(await system.restart('chat')).toBe(0);
    const stored = new Set<string>();
    let before: string | null = null;
    do {
      const query: string = before ? `&before=${before}` : '';
      const page: { items: { id: string }[]; nextBefore: string | null } = await json(
        await fetch(`${chat.url}/conversations/${conversation.id}/messages?limit=100${query}`, {
          headers,
        }),
      );
      page.items.forEach((item) => stored.add(item.id));
      before = page.nextBefore;
    } while (before);
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
  }, 60_000);
});
