import { startNatsServer, type TestNatsServer } from '@switchboard/platform-testing';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type JetStreamManager, type NatsConnection, type StreamInfo } from 'nats';
import { ensureStreams, streamDefinitions, StreamsNotProvisioned, verifyStreams } from './streams';

describe('verifyStreams (real nats-server)', () => {
  let server: TestNatsServer;
  let nats: NatsConnection;
  let jsm: JetStreamManager;

  beforeEach(async () => {
    server = await startNatsServer();
    nats = await connect({ servers: server.url });
    jsm = await nats.jetstreamManager();
  });

  afterEach(async () => {
    await nats?.close();
    await server?.stop();
  });

  const allStreams = async (): Promise<StreamInfo[]> => {
    const found: StreamInfo[] = [];
    for await (const stream of jsm.streams.list()) found.push(stream);
    return found;
  };

  it('names every missing stream at once and creates none', async () => {
    const verifying = verifyStreams(jsm, streamDefinitions());
    await expect(verifying).rejects.toBeInstanceOf(StreamsNotProvisioned);
    await expect(verifying).rejects.toMatchObject({
      problems: [
        'CHAT is missing',
        'STORIES is missing',
        'CALLS is missing',
        'BOTS is missing',
        'DLQ is missing',
      ],
    });
    await expect(verifying).rejects.toThrow(/EVENTS_STREAMS=ensure/);
    expect(await allStreams()).toEqual([]);
  });

  it('passes once the streams exist', async () => {
    await ensureStreams(jsm);
    await expect(verifyStreams(jsm, streamDefinitions())).resolves.toBeUndefined();
  });

  it('reports a stream that captures other subjects, leaving it as it is', async () => {
    const [chat, stories, , , dlq] = streamDefinitions();
    await jsm.streams.add({ name: 'DLQ', subjects: ['x'] });
    await ensureStreams(jsm, [chat]);
    await expect(verifyStreams(jsm, [chat, stories, dlq])).rejects.toThrow(
      'JetStream streams are not provisioned: STORIES is missing; DLQ captures [x] instead of [dlq.>]. ' +
        'With EVENTS_STREAMS=verify the platform creates the streams (see docs/infrastructure.md); ' +
        'start its stream provisioner, or set EVENTS_STREAMS=ensure to let this service create them.',
    );
    expect((await jsm.streams.info('DLQ')).config.subjects).toEqual(['x']);
  });

  it('lets other errors through unchanged: a user without the right to read stream info', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'verify-streams-'));
    const config = join(dir, 'nats.conf');
    // Allowed to reach JetStream, not to read any stream: permission denied, not "missing".
    await writeFile(
      config,
      `authorization { users = [ { user: "chat", password: "s3cret", permissions: {
        publish: { allow: ["$JS.API.INFO"] }, subscribe: { allow: ["_INBOX.>"] } } } ] }\n`,
    );
    const restricted = await startNatsServer({ args: ['-c', config] });
    const client = await connect({ servers: restricted.url, user: 'chat', pass: 's3cret' });
    try {
      const verifying = verifyStreams(await client.jetstreamManager(), streamDefinitions());
      await expect(verifying).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
      await expect(verifying).rejects.not.toBeInstanceOf(StreamsNotProvisioned);
    } finally {
      await client.close();
      await restricted.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
