import { AppError, defineRpc } from '@switchboard/contracts';
import { connect, ErrorCode, type Msg, type NatsConnection, NatsError } from 'nats';
import { z } from 'zod';
import { type ContractResponder, respond } from './contract-responder';
import { startNatsServer, type TestNatsServer } from './nats-server.harness';

jest.setTimeout(30_000);

const Greet = defineRpc({
  subject: 'rpc.test.greet.v1',
  request: z.object({ name: z.string().min(1) }).strict(),
  result: z.object({ greeting: z.string() }).strict(),
});

let server: TestNatsServer;
let nats: NatsConnection;
let responder: ContractResponder<typeof Greet>;
const received: string[] = [];

async function ask(body: unknown, timeout = 2_000): Promise<Msg> {
  const data = new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));
  return nats.request(Greet.subject, data, { timeout });
}

function bodyOf(msg: Msg): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(msg.data)) as Record<string, unknown>;
}

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(NatsError);
  return (error as NatsError).code;
}

beforeAll(async () => {
  server = await startNatsServer();
  nats = await connect({ servers: server.url });
  responder = await respond(nats, Greet, ({ name }) => {
    received.push(name);
    if (name === 'mallory') {
      throw new AppError('TEST.NOT_WELCOME', 'permission_denied', 'mallory is\nnot welcome', {
        who: name,
      });
    }
    if (name === 'broken') return { greeting: 42 } as unknown as { greeting: string };
    return { greeting: `hello ${name}` };
  });
});

afterAll(async () => {
  await nats?.close();
  await server?.stop();
});

afterEach(async () => {
  responder.delayMs = 0;
  await responder.start();
});

describe('respond', () => {
  it('answers a valid request with ok and the result, without error headers', async () => {
    const reply = await ask({ name: 'alice' });
    expect(bodyOf(reply)).toEqual({ ok: true, greeting: 'hello alice' });
    expect(reply.headers).toBeUndefined();
  });

  it('refuses a request that breaks the contract as the real transport does, before the handler', async () => {
    const before = received.length;
    const reply = await ask({ name: '', extra: true });
    expect(bodyOf(reply)).toMatchObject({
      ok: false,
      code: 'INVALID_ARGUMENT',
      message: `Body of ${Greet.subject} does not match its contract`,
      retriable: false,
      details: expect.arrayContaining([
        expect.objectContaining({ path: 'name', code: 'too_small' }),
        expect.objectContaining({ path: '', code: 'unrecognized_keys' }),
      ]),
    });
    expect(reply.headers?.get('Nats-Service-Error-Code')).toBe('400');
    expect(reply.headers?.get('Switchboard-Error-Code')).toBe('INVALID_ARGUMENT');

    const notJson = await ask('{not json');
    expect(bodyOf(notJson)).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
    expect(received.length).toBe(before);
  });

  it('sends a thrown AppError as its envelope with the micro-protocol error headers', async () => {
    const reply = await ask({ name: 'mallory' });
    expect(bodyOf(reply)).toEqual({
      ok: false,
      code: 'TEST.NOT_WELCOME',
      message: 'mallory is\nnot welcome',
      retriable: false,
      details: { who: 'mallory' },
    });
    expect(reply.headers?.get('Nats-Service-Error-Code')).toBe('403');
    expect(reply.headers?.get('Nats-Service-Error')).toBe('mallory is not welcome');
    expect(reply.headers?.get('Switchboard-Error-Code')).toBe('TEST.NOT_WELCOME');
  });

  it('answers INTERNAL with an error id when the handler breaks the result schema', async () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const reply = await ask({ name: 'broken' });
      expect(bodyOf(reply)).toMatchObject({
        ok: false,
        code: 'INTERNAL',
        message: 'Internal error',
        details: { errorId: expect.any(String) },
      });
      expect(reply.headers?.get('Nats-Service-Error-Code')).toBe('500');
    } finally {
      stderr.mockRestore();
    }
  });

  it('leaves callers without responders once stopped, and answers again once started', async () => {
    await responder.stop();
    expect(responder.subscribed).toBe(false);
    expect(await failure(ask({ name: 'bob' }))).toBe(ErrorCode.NoResponders);

    await responder.start();
    expect(bodyOf(await ask({ name: 'bob' }))).toEqual({ ok: true, greeting: 'hello bob' });
  });

  it('takes requests but never answers while black-holed', async () => {
    await responder.blackHole();
    expect(await failure(ask({ name: 'carol' }, 300))).toBe(ErrorCode.Timeout);
  });

  it('replies only after delayMs', async () => {
    responder.delayMs = 400;
    expect(await failure(ask({ name: 'dave' }, 150))).toBe(ErrorCode.Timeout);

    const started = Date.now();
    expect(bodyOf(await ask({ name: 'dave' }))).toEqual({ ok: true, greeting: 'hello dave' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  });
});
