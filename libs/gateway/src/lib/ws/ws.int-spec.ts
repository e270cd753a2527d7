import { Calls, Chat } from '@switchboard/contracts';
import { signDevToken } from '@switchboard/platform-auth';
import { encodeJson, ensureStreams } from '@switchboard/platform-messaging';
import { type ServiceApp } from '@switchboard/platform-runtime';
import {
  respond,
  startNatsServer,
  TEST_JWT_SECRET,
  type TestNatsServer,
  waitFor,
} from '@switchboard/platform-testing';
import { connect, type JetStreamClient, type NatsConnection } from 'nats';
import { randomBytes, randomUUID } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { startTestGateway } from '../testing/gateway-app.harness';

interface Frame {
  type: string;
  id?: string;
  cursor: string;
  subject?: string;
  data: Record<string, unknown>;
}

/** A client of `/ws` that keeps every frame it received. */
class Client {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => this.frames.push(JSON.parse(String(data)) as Frame));
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
  }

  static async open(base: string, token: string, cursor?: string): Promise<Client> {
    const query = `access_token=${token}${cursor ? `&cursor=${cursor}` : ''}`;
    const client = new Client(new WebSocket(`${base}/ws?${query}`));
    await waitFor(() => client.frames.some((frame) => frame.type === 'ready'), {
      timeoutMs: 10_000,
    });
    return client;
  }

  texts(): string[] {
    return this.frames
      .filter((frame) => frame.subject === Chat.MessageCreated.subject)
      .map((frame) => (frame.data['message'] as { text: string }).text);
  }

  get lastCursor(): string {
    return this.frames.at(-1)?.cursor ?? '';
  }
}

/** The status and envelope an upgrade is refused with. */
function refusal(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: { code?: string } }>((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.on('open', () => reject(new Error('the upgrade was accepted')));
    socket.on('error', () => undefined);
    socket.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += String(chunk)));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(body) }),
      );
    });
  });
}

/** A WebSocket handshake over raw TCP, so the test decides when the client reads. */
async function rawSocket(base: string, token: string): Promise<Socket> {
  const { port } = new URL(base.replace('ws', 'http'));
  const socket = tcpConnect(Number(port), '127.0.0.1');
  socket.write(
    `GET /ws?access_token=${token} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
      'Sec-WebSocket-Version: 13\r\n\r\n',
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('data', (chunk: Buffer) =>
      String(chunk).startsWith('HTTP/1.1 101') ? resolve() : reject(new Error(String(chunk))),
    );
  });
  return socket;
}

/** The frames of an unmasked server stream: their opcodes, and the close code if one came. */
function parseFrames(bytes: Buffer): { texts: number; closeCode?: number } {
  let offset = 0;
  let texts = 0;
  while (offset + 2 <= bytes.length) {
    const opcode = bytes[offset] & 0x0f;
    let length = bytes[offset + 1] & 0x7f;
    let header = 2;
    if (length === 126) {
      length = bytes.readUInt16BE(offset + 2);
      header = 4;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(offset + 2));
      header = 10;
    }
    if (offset + header + length > bytes.length) break;
    if (opcode === 0x1) texts++;
    if (opcode === 0x8) return { texts, closeCode: bytes.readUInt16BE(offset + header) };
    offset += header + length;
  }
  return { texts };
}

function message(text: string, memberIds: string[]) {
  return {
    message: {
      id: randomUUID(),
      conversationId: randomUUID(),
      sender: { kind: 'user', id: memberIds[0] },
      text,
      clientMessageId: null,
      ref: null,
      createdAt: new Date().toISOString(),
      editedAt: null,
      deletedAt: null,
    },
    memberIds,
  };
}

describe('gateway /ws (real nats-server with JetStream, two gateway replicas)', () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let replicas: ServiceApp[] = [];
  let bases: string[] = [];
  const tokens: Record<string, string> = {};

  const post = (text: string, memberIds: string[]) =>
    js.publish(Chat.MessageCreated.subject, encodeJson(message(text, memberIds)));

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    await ensureStreams(await nc.jetstreamManager());
    js = nc.jetstream();
    await post('before any gateway', ['alice']);
    for (let index = 0; index < 2; index++) {
      const gateway = await startTestGateway(nats.url, { GATEWAY_WS_MAX_BUFFERED_BYTES: '65536' });
      replicas.push(gateway.service);
      bases.push(gateway.base.replace('http', 'ws'));
    }
    for (const user of ['alice', 'bob', 'carol', 'dave']) {
      tokens[user] = await signDevToken(user, TEST_JWT_SECRET);
    }
    await waitFor(async () => {
      const answers = await Promise.all(
        bases.map((base) =>
          fetch(`${base.replace('ws', 'http')}/health/ready`).then(
            (r) => r.json() as Promise<{ details?: Record<string, { status: string }> }>,
          ),
        ),
      );
      return answers.every((answer) => answer.details?.['event-feed']?.status === 'up');
    });
  }, 60_000);

  afterAll(async () => {
    for (const gateway of replicas) await gateway.app.close();
    await nc?.close();
    await nats?.stop();
    replicas = [];
    bases = [];
  });

  it('refuses the upgrade before a socket opens: no token, a bad token, a bad cursor, another path', async () => {
    const [base] = bases;
    expect(await refusal(`${base}/ws`)).toMatchObject({
      status: 401,
      body: { code: 'AUTH.UNAUTHENTICATED' },
    });
    expect(await refusal(`${base}/ws?access_token=not-a-jwt`)).toMatchObject({ status: 401 });
    const forged = await signDevToken('alice', 'another-secret-of-at-least-32-characters!');
    expect(await refusal(`${base}/ws?access_token=${forged}`)).toMatchObject({ status: 401 });
    expect(
      await refusal(`${base}/ws?cursor=%%%`, { authorization: `Bearer ${tokens['alice']}` }),
    ).toMatchObject({ status: 400, body: { code: 'GATEWAY.INVALID_CURSOR' } });
    expect(await refusal(`${base}/socket?access_token=${tokens['alice']}`)).toMatchObject({
      status: 404,
    });
  });

  it('sends each user only what concerns them (three users on two replicas)', async () => {
    const alice = await Client.open(bases[0], tokens['alice']);
    const bob = await Client.open(bases[1], tokens['bob']);
    const carol = await Client.open(bases[0], tokens['carol']);
    await post('for alice and bob', ['alice', 'bob']);
    await post('for dave only', ['dave']);
    await post('for carol', ['carol']);
    await post('for everyone', ['alice', 'bob', 'carol']);
    await waitFor(() =>
      [alice, bob, carol].every((client) => client.texts().includes('for everyone')),
    );
    expect(alice.texts()).toEqual(['for alice and bob', 'for everyone']);
    expect(bob.texts()).toEqual(['for alice and bob', 'for everyone']);
    expect(carol.texts()).toEqual(['for carol', 'for everyone']);
    for (const client of [alice, bob, carol]) client.socket.close();
  });

  it('resumes a cut socket on the other replica: every event once, in order', async () => {
    const posted = Array.from({ length: 200 }, (_, index) => `resume ${index}`);
    const first = await Client.open(bases[0], tokens['alice']);
    const publishing = (async () => {
      for (const text of posted) {
        await post(text, ['alice', 'bob']);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await waitFor(() => first.texts().length >= 60);
    first.socket.terminate();
    await first.closed;
    const seen = first.texts();
    const second = await Client.open(bases[1], tokens['alice'], first.lastCursor);
    await publishing;
    await waitFor(() => second.texts().includes('resume 199'), { timeoutMs: 15_000 });
    expect([...seen, ...second.texts()]).toEqual(posted);
    second.socket.close();
  });

  it('answers an old cursor of a recreated stream with reset, then goes on live', async () => {
    const alice = await Client.open(bases[0], tokens['alice']);
    const entries = JSON.parse(Buffer.from(alice.lastCursor, 'base64url').toString()) as [
      string,
      number,
      number,
    ][];
    alice.socket.close();
    const stale = Buffer.from(
      JSON.stringify(entries.map(([stream, epoch, seq]) => [stream, epoch - 1, seq])),
    ).toString('base64url');
    const again = await Client.open(bases[1], tokens['alice'], stale);
    expect(again.frames.map((frame) => frame.type)).toEqual(['reset', 'ready']);
    await post('after the reset', ['alice']);
    await waitFor(() => again.texts().includes('after the reset'));
    again.socket.close();
  });

  it('forwards signals to their recipient and relays the ones a client sends, as that client', async () => {
    const bob = await Client.open(bases[1], tokens['bob']);
    const alice = await Client.open(bases[0], tokens['alice']);
    const relayed: unknown[] = [];
    const calls = await respond(nc, Calls.RelaySignal, (request) => {
      relayed.push(request);
      return { sentAt: new Date().toISOString() };
    });
    const callId = randomUUID();
    const signal = {
      callId,
      fromUserId: 'alice',
      toUserId: 'bob',
      signal: { type: 'offer', sdp: 'v=0' },
      sentAt: new Date().toISOString(),
    };
    nc.publish(Calls.CallSignal.subjectFor('bob'), encodeJson(signal));
    await waitFor(() => bob.frames.some((frame) => frame.type === 'push'));
    expect(bob.frames.find((frame) => frame.type === 'push')).toMatchObject({
      subject: 'push.calls.signal.v1',
      data: signal,
    });

    alice.socket.send(
      JSON.stringify({
        type: 'signal',
        id: 's1',
        callId,
        toUserId: 'bob',
        fromUserId: 'mallory',
        signal: { type: 'answer', sdp: 'v=0' },
      }),
    );
    alice.socket.send(
      JSON.stringify({
        type: 'signal',
        id: 's2',
        callId,
        toUserId: 'bob',
        signal: { type: 'answer', sdp: 'v=0' },
      }),
    );
    alice.socket.send('not json');
    await waitFor(
      () => alice.frames.filter((frame) => ['ack', 'error'].includes(frame.type)).length >= 3,
    );
    const replies = alice.frames.filter((frame) => ['ack', 'error'].includes(frame.type));
    // The ack waits for calls' answer; the refusals are immediate.
    expect(replies.map((frame) => [frame.type, frame.id, frame.data['code']])).toEqual([
      ['error', 's1', 'GATEWAY.INVALID_FRAME'],
      ['error', undefined, 'GATEWAY.INVALID_FRAME'],
      ['ack', 's2', undefined],
    ]);
    expect(relayed).toEqual([
      { callId, fromUserId: 'alice', toUserId: 'bob', signal: { type: 'answer', sdp: 'v=0' } },
    ]);
    expect(alice.frames.some((frame) => frame.type === 'push')).toBe(false);
    await calls.stop();
    alice.socket.close();
    bob.socket.close();
  });

  it('closes a reader that stops reading with 4008, without holding up anyone else', async () => {
    const slow = await rawSocket(bases[0], tokens['bob']);
    const received: Buffer[] = [];
    slow.on('data', (chunk: Buffer) => received.push(chunk));
    slow.pause();
    const fast = await Client.open(bases[0], tokens['carol']);
    // Large enough to fill the loopback's socket buffers (megabytes) as well as the cap.
    const filler = 'x'.repeat(64_000);
    const posted = Array.from({ length: 250 }, (_, index) => `${filler} ${index}`);
    for (const text of posted) await post(text, ['bob', 'carol']);
    await waitFor(() => fast.texts().length === posted.length, { timeoutMs: 20_000 });
    expect(fast.texts()).toEqual(posted);
    slow.resume();
    await new Promise((resolve) => slow.once('close', resolve));
    const frames = parseFrames(Buffer.concat(received));
    expect(frames.closeCode).toBe(4008);
    // It was cut off well before the end: nothing waited on it beyond the byte cap.
    expect(frames.texts).toBeLessThan(posted.length);
    fast.socket.close();
  }, 30_000);

  it('closes a socket whose token expires with 4001', async () => {
    const short = await signDevToken('alice', TEST_JWT_SECRET, { expiresIn: '2s' });
    const alice = await Client.open(bases[0], short);
    expect(await alice.closed).toMatchObject({ code: 4001 });
  });
});
