import { Controller, type INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  AppError,
  defineEvent,
  defineRpc,
  type EventPayload,
  type RpcRequest,
} from '@switchboard/contracts';
import { startNatsServer, type TestNatsServer, waitFor } from '@switchboard/platform-testing';
import { connect, type NatsConnection } from 'nats';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { EventPublisher } from './event.publisher';
import { EventHandler, RpcHandler } from './handler.decorators';
import { MessagingModule } from './messaging.module';
import { NATS_CONNECTION } from './nats-connection';
import { NatsTransport } from './nats.transport';
import { RpcClient } from './rpc.client';

const Greet = defineRpc({
  subject: 'rpc.test.greet.v1',
  request: z.object({ name: z.string().min(1), delayMs: z.number().int().optional() }).strict(),
  result: z.object({ greeting: z.string() }).strict(),
});
const Fail = defineRpc({
  subject: 'rpc.test.fail.v1',
  request: z.object({ how: z.enum(['app-error', 'crash', 'bad-result']) }).strict(),
  result: z.object({ never: z.string() }).strict(),
});
const Nobody = defineRpc({
  subject: 'rpc.test.nobody-home.v1',
  request: z.object({}).strict(),
  result: z.object({}).strict(),
});
const Slow = defineRpc({
  subject: 'rpc.test.slow.v1',
  request: z.object({}).strict(),
  result: z.object({}).strict(),
});
const Greeted = defineEvent({
  subject: 'evt.test.person.greeted.v1',
  payload: z.object({ name: z.string() }).strict(),
});

/** Events each app instance received, to check queue-group sharing. */
const received = new Map<string, string[]>();

@Controller()
class TestHandlers {
  readonly instance = `instance-${Math.random()}`;

  @RpcHandler(Greet)
  async greet(request: RpcRequest<typeof Greet>) {
    if (request.delayMs) await sleep(request.delayMs);
    return { greeting: `hello ${request.name}` };
  }

  @RpcHandler(Fail)
  fail(request: RpcRequest<typeof Fail>) {
    if (request.how === 'app-error') {
      throw new AppError('TEST.NOT_ALLOWED', 'permission_denied', 'not for you', { who: 'me' });
    }
    if (request.how === 'crash') throw new Error('database password is hunter2');
    return { unexpected: true };
  }

  @RpcHandler(Slow)
  async slow() {
    await sleep(2_000);
    return {};
  }

  @EventHandler(Greeted)
  greeted(payload: EventPayload<typeof Greeted>) {
    received.set(this.instance, [...(received.get(this.instance) ?? []), payload.name]);
  }
}

async function startApp(natsUrl: string): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [MessagingModule.forRoot({ serviceName: 'test', natsUrl })],
    controllers: [TestHandlers],
  }).compile();
  const app = moduleRef.createNestApplication(new FastifyAdapter(), { logger: false });
  app.connectMicroservice({
    strategy: new NatsTransport({ connection: app.get(NATS_CONNECTION), serviceName: 'test' }),
  });
  await app.startAllMicroservices();
  await app.init();
  return app;
}

describe('NATS transport (real nats-server)', () => {
  let nats: TestNatsServer;
  let app: INestApplication;
  let raw: NatsConnection;
  let rpc: RpcClient;

  beforeAll(async () => {
    nats = await startNatsServer({ jetstream: false });
    app = await startApp(nats.url);
    rpc = app.get(RpcClient);
    raw = await connect({ servers: nats.url });
  });

  afterAll(async () => {
    await raw?.close();
    await app?.close();
    await nats?.stop();
  });

  const rawRequest = async (subject: string, body: string) => {
    const reply = await raw.request(subject, new TextEncoder().encode(body), { timeout: 2_000 });
    return {
      body: JSON.parse(new TextDecoder().decode(reply.data)) as Record<string, unknown>,
      headers: reply.headers,
    };
  };

  it('answers a plain JSON request from a client that knows nothing of Nest', async () => {
    const reply = await rawRequest(Greet.subject, '{"name":"ada"}');
    expect(reply.body).toEqual({ ok: true, greeting: 'hello ada' });
  });

  it('rejects a body that is not JSON with INVALID_ARGUMENT and the micro-protocol headers', async () => {
    const reply = await rawRequest(Greet.subject, '{"name":');
    expect(reply.body).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT', retriable: false });
    expect(reply.headers?.get('Nats-Service-Error-Code')).toBe('400');
    expect(reply.headers?.get('Switchboard-Error-Code')).toBe('INVALID_ARGUMENT');
  });

  it('rejects a body that breaks the contract, naming the fields', async () => {
    const reply = await rawRequest(Greet.subject, '{"name":"","extra":1}');
    expect(reply.body).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
    const paths = (reply.body['details'] as { path: string; code: string }[]).map((d) => d.code);
    expect(paths).toEqual(expect.arrayContaining(['too_small', 'unrecognized_keys']));
  });

  it('carries a domain error to the typed client with its code and kind', async () => {
    const error = await rpc.call(Fail, { how: 'app-error' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'TEST.NOT_ALLOWED',
      kind: 'permission_denied',
      details: { who: 'me' },
    });
  });

  it('hides the details of an unexpected error behind an error id', async () => {
    const reply = await rawRequest(Fail.subject, '{"how":"crash"}');
    expect(reply.body).toMatchObject({ ok: false, code: 'INTERNAL', message: 'Internal error' });
    expect(JSON.stringify(reply.body)).not.toContain('hunter2');
    expect(reply.body['details']).toEqual({ errorId: expect.any(String) });
  });

  it('treats a handler result that breaks the contract as an internal error', async () => {
    const error = await rpc.call(Fail, { how: 'bad-result' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INTERNAL', kind: 'internal' });
  });

  it('round-trips a typed call', async () => {
    await expect(rpc.call(Greet, { name: 'grace' })).resolves.toEqual({ greeting: 'hello grace' });
  });

  it('validates the input before sending it', async () => {
    const error = await rpc.call(Greet, { name: '' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', kind: 'invalid_argument' });
  });

  it('fails at once with UNAVAILABLE when nobody answers the subject', async () => {
    const error = await rpc.call(Nobody, {}, { timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', retriable: true });
  });

  it('fails with DEADLINE_EXCEEDED when the reply is late', async () => {
    const error = await rpc.call(Slow, {}, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED', retriable: true });
  });

  it('shares events between replicas of one service: each event is handled once', async () => {
    const second = await startApp(nats.url);
    try {
      received.clear();
      const publisher = app.get(EventPublisher);
      const names = Array.from({ length: 40 }, (_, i) => `person-${i}`);
      for (const name of names) publisher.publish(Greeted, { name });
      await waitFor(() => [...received.values()].flat().length >= names.length, {
        timeoutMs: 5_000,
        message: 'events were not all delivered',
      });
      await sleep(200);
      expect([...received.values()].flat().sort()).toEqual([...names].sort());
    } finally {
      await second.close();
    }
  });

  it('refuses to publish an event that breaks its contract', () => {
    const publisher = app.get(EventPublisher);
    expect(() => publisher.publish(Greeted, { name: 42 } as never)).toThrow(/breaks its contract/);
  });
});

describe('NATS transport shutdown', () => {
  it('finishes the requests in flight before the connection closes', async () => {
    const nats = await startNatsServer({ jetstream: false });
    const app = await startApp(nats.url);
    const client = await connect({ servers: nats.url });
    try {
      const inFlight = client.request(
        Greet.subject,
        new TextEncoder().encode('{"name":"late","delayMs":300}'),
        { timeout: 5_000 },
      );
      await sleep(50);
      await app.close();
      const reply = await inFlight;
      expect(JSON.parse(new TextDecoder().decode(reply.data))).toEqual({
        ok: true,
        greeting: 'hello late',
      });
    } finally {
      await client.close();
      await nats.stop();
    }
  });
});
