import { signDevToken } from '@switchboard/platform-auth';
import {
  createTestEnvironment,
  type ServiceProcess,
  TEST_JWT_SECRET,
  type TestEnvironment,
} from '@switchboard/platform-testing';
import { spawn } from 'node:child_process';
import { entryOf, json, startService } from './services';

/** The readiness status the service settles on within its grace period after a signal. */
async function readinessAfterSignal(url: string): Promise<number | undefined> {
  let status: number | undefined;
  for (let attempt = 0; attempt < 20 && status !== 503; attempt += 1) {
    status = (await fetch(`${url}/health/ready`).catch(() => undefined))?.status;
    if (status !== 503) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return status;
}

describe('chat process lifecycle', () => {
  let env: TestEnvironment;
  let headers: Record<string, string>;

  beforeAll(async () => {
    env = await createTestEnvironment(['chat']);
    headers = {
      authorization: `Bearer ${await signDevToken('alice', TEST_JWT_SECRET)}`,
      'content-type': 'application/json',
    };
  }, 60_000);

  afterAll(async () => {
    await env?.stop();
  });

  it('refuses to start with DATABASE_URL=nonsense, naming the key', async () => {
    const child = spawn(process.execPath, [entryOf('chat')], {
      env: { ...process.env, ...env.envFor('chat'), DATABASE_URL: 'nonsense', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).not.toBe(0);
    expect(output).toMatch(/DATABASE_URL/);
  });

  it('loses no acknowledged message when SIGTERM lands in a burst of 200 posts', async () => {
    // info: when shutdown fails, the lines printed below say which step it was in.
    let chat: ServiceProcess = await startService(env, 'chat', {
      SHUTDOWN_GRACE_MS: '150',
      LOG_LEVEL: 'info',
    });
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
      process.stdout.write(`chat's last log lines:\n${chat.logs().slice(-40).join('\n')}\n`);
    expect(exitCode).toBe(0);
    expect(readinessDuringShutdown).toBe(503);
    expect(outcomes.acknowledged).toBeGreaterThanOrEqual(60);

    chat = await startService(env, 'chat');
    try {
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
    } finally {
      expect(await chat.stop()).toBe(0);
    }
  }, 60_000);
});
