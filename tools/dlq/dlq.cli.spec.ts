import { DLQ_STREAM, ensureStreams, EventHeaders } from '@switchboard/platform-messaging';
import { freePort, startNatsServer, type TestNatsServer } from '@switchboard/platform-testing';
import {
  connect,
  headers as natsHeaders,
  type JetStreamManager,
  type NatsConnection,
  StringCodec,
} from 'nats';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const CREATED = 'evt.chat.message.created.v1';
const BOTS = 'bots_evt-chat-message-created-v1';
const workspaceRoot = join(__dirname, '..', '..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The CLI as `npm run dlq` starts it: its own process, stdin a pipe (not a terminal). */
function dlq(args: string[], natsUrl: string): Promise<Run> {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    ['-r', join(__dirname, 'register.cjs'), join(__dirname, 'dlq.cli.ts'), ...args],
    {
      cwd: workspaceRoot,
      env: { ...process.env, NATS_URL: natsUrl },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe('npm run dlq (the CLI process against a real nats-server)', () => {
  let server: TestNatsServer;
  let nats: NatsConnection;
  let jsm: JetStreamManager;
  const sc = StringCodec();

  beforeAll(async () => {
    server = await startNatsServer();
    nats = await connect({ servers: server.url });
    jsm = await nats.jetstreamManager();
    await ensureStreams(jsm);
  }, 30_000);

  afterAll(async () => {
    await nats?.close();
    await server?.stop();
  });

  /** A dead letter as the JetStream transport writes it. */
  async function deadLetter(eventId: string): Promise<number> {
    const js = nats.jetstream();
    const data = sc.encode(JSON.stringify({ text: '/echo hi' }));
    const original = natsHeaders();
    original.set(EventHeaders.EVENT_ID, eventId);
    const published = await js.publish(CREATED, data, { headers: original, msgID: eventId });
    const h = natsHeaders();
    h.set(EventHeaders.EVENT_ID, eventId);
    h.set(EventHeaders.DLQ_SUBJECT, CREATED);
    h.set(EventHeaders.DLQ_STREAM, published.stream);
    h.set(EventHeaders.DLQ_STREAM_SEQ, String(published.seq));
    h.set(EventHeaders.DLQ_CONSUMER, BOTS);
    h.set(EventHeaders.DLQ_ATTEMPTS, '5');
    h.set(EventHeaders.DLQ_ERROR, 'Error: echo bot crashed');
    h.set(EventHeaders.DLQ_FAILED_AT, new Date().toISOString());
    const dead = await js.publish(`dlq.${BOTS}.${CREATED}`, data, {
      headers: h,
      msgID: `dlq-${BOTS}-${published.seq}`,
    });
    return dead.seq;
  }

  it('lists dead letters as a table, shows one, and replays it to its original subject', async () => {
    const seq = await deadLetter('event-cli-1');

    const list = await dlq(['list'], server.url);
    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(list.stdout).toMatch(
      /^SEQ\s+RECEIVED\s+CONSUMER\s+SUBJECT\s+ATTEMPTS\s+EVENT ID\s+ERROR/,
    );
    expect(list.stdout).toMatch(
      new RegExp(
        `\\n${seq}\\s+\\S+Z\\s+${BOTS}\\s+${CREATED.replace(/\./g, '\\.')}\\s+5\\s+event-cli-1\\s+Error: echo bot crashed`,
      ),
    );
    expect(list.stdout).toContain('1 of 1 dead letter');

    const show = await dlq(['show', String(seq)], server.url);
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({
      seq,
      eventId: 'event-cli-1',
      payload: { text: '/echo hi' },
    });

    const replay = await dlq(['replay', String(seq)], server.url);
    expect(replay).toMatchObject({ code: 0, stderr: '' });
    expect(replay.stdout).toContain(
      `Replayed DLQ seq ${seq} (event event-cli-1) to ${CREATED}: stream CHAT seq`,
    );
    const replayed = await jsm.streams.getMessage('CHAT', { last_by_subj: CREATED });
    expect(replayed.header.get(EventHeaders.EVENT_ID)).toBe('event-cli-1');
    expect(replayed.header.get('Nats-Msg-Id')).toBe(`replay-${seq}`);

    const again = await dlq(['replay', String(seq)], server.url);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`No dead letter with sequence ${seq}`);
    expect((await dlq(['list'], server.url)).stdout).toBe('No dead letters.\n');
  }, 60_000);

  it('exits 2 with a usage message for an unknown command or bad arguments', async () => {
    const unknown = await dlq(['frobnicate'], server.url);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    expect(unknown.stdout).toBe('');

    const badSeq = await dlq(['show', 'latest'], server.url);
    expect(badSeq.code).toBe(2);
    expect(badSeq.stderr).toContain('<seq> must be a positive integer');
  }, 30_000);

  it('purges only with --yes when stdin is not a terminal', async () => {
    await deadLetter('event-cli-2');

    const refused = await dlq(['purge', '--consumer', BOTS], server.url);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('refusing to purge 1 dead letter of consumer');
    expect((await jsm.streams.info(DLQ_STREAM)).state.messages).toBe(1);

    const purged = await dlq(['purge', '--consumer', BOTS, '--yes'], server.url);
    expect(purged).toMatchObject({
      code: 0,
      stdout: `Purged 1 dead letter of consumer ${BOTS}.\n`,
    });
    expect((await jsm.streams.info(DLQ_STREAM)).state.messages).toBe(0);
  }, 30_000);

  it('fails within seconds, naming the URL, when NATS is unreachable', async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    const run = await dlq(['list'], url);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cannot reach NATS at ${url}`);
    expect(run.ms).toBeLessThan(10_000);
  }, 30_000);

  it('says so when the DLQ stream does not exist', async () => {
    await jsm.streams.delete(DLQ_STREAM);
    try {
      const run = await dlq(['list'], server.url);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('Stream DLQ does not exist');
    } finally {
      await ensureStreams(jsm);
    }
  }, 30_000);
});
