import { Controller, type INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AppError, defineRpc, type RpcRequest } from '@switchboard/contracts';
import { startNatsServer, type TestNatsServer, waitFor } from '@switchboard/platform-testing';
import { connect, headers, type Msg, type MsgHdrs, type NatsConnection } from 'nats';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import {
  currentDeadline,
  currentTraceparent,
  remainingBudgetMs,
  runWithCallContext,
} from '../context/call-context';
import { RpcHandler } from '../handler.decorators';
import { MessagingModule } from '../messaging.module';
import { NATS_CONNECTION } from '../nats/nats-connection';
import { NatsTransport } from './nats.transport';
import { RpcClient } from './rpc.client';
import {
  isValidTraceparent,
  newTraceContext,
  parentIdOf,
  traceIdOf,
} from '../context/trace-context';
import { rawHeaderBlock } from '../nats/nats-internals';
import { readRequestHeaders } from './request-headers';

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
/** Reports what its handler saw of its call context. */
const Probe = defineRpc({
  subject: 'rpc.test.probe.v1',
  request: z.object({}).strict(),
  result: z
    .object({
      deadline: z.number().nullable(),
      remainingMs: z.number().nullable(),
      traceparent: z.string().nullable(),
    })
    .strict(),
});
/** Waits `waitMs`, then calls Probe with `onwardTimeoutMs` and reports both call contexts. */
const Relay = defineRpc({
  subject: 'rpc.test.relay.v1',
  request: z
    .object({ waitMs: z.number().int().optional(), onwardTimeoutMs: z.number().int().optional() })
    .strict(),
  result: z
    .object({
      deadline: z.number().nullable(),
      traceparent: z.string().nullable(),
      downstream: Probe.result.nullable(),
      onwardError: z.object({ code: z.string(), afterMs: z.number() }).nullable(),
    })
    .strict(),
});
/** Answered by a raw subscription of the test, to see what the typed client puts on the wire. */
const Spy = defineRpc({
  subject: 'rpc.test.spy.v1',
  request: z.object({}).strict(),
  result: z.object({}).strict(),
});
/** How often Probe's handler ran. */
let probeCalls = 0;

@Controller()
class TestHandlers {
  readonly instance = `instance-${Math.random()}`;

  constructor(private readonly rpc: RpcClient) {}

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

  @RpcHandler(Probe)
  probe() {
    probeCalls++;
    return {
      deadline: currentDeadline() ?? null,
      remainingMs: remainingBudgetMs() ?? null,
      traceparent: currentTraceparent() ?? null,
    };
  }

  @RpcHandler(Relay)
  async relay(request: RpcRequest<typeof Relay>) {
    if (request.waitMs) await sleep(request.waitMs);
    const seen = { deadline: currentDeadline() ?? null, traceparent: currentTraceparent() ?? null };
    const started = Date.now();
    try {
      const downstream = await this.rpc.call(Probe, {}, { timeoutMs: request.onwardTimeoutMs });
      return { ...seen, downstream, onwardError: null };
    } catch (error) {
      const code = error instanceof AppError ? error.code : String(error);
      return { ...seen, downstream: null, onwardError: { code, afterMs: Date.now() - started } };
    }
  }
}

async function startApp(natsUrl: string): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [MessagingModule.forRoot({ serviceName: 'test', natsUrl })],
    controllers: [TestHandlers],
  }).compile();
  const app = moduleRef.createNestApplication(new FastifyAdapter(), { logger: false });
  app.connectMicroservice({
    strategy: new NatsTransport({ connection: app.get(NATS_CONNECTION) }),
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

  const rawRequest = async (subject: string, body: string, requestHeaders?: MsgHdrs) => {
    const reply = await raw.request(subject, new TextEncoder().encode(body), {
      timeout: 2_000,
      headers: requestHeaders,
    });
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

  describe('deadlines', () => {
    it('refuses a request whose deadline has passed without running the handler', async () => {
      const before = probeCalls;
      const late = headers();
      late.set('Switchboard-Deadline', String(Date.now() - 1_000));
      const reply = await rawRequest(Probe.subject, '{}', late);
      expect(reply.body).toMatchObject({ ok: false, code: 'DEADLINE_EXCEEDED', retriable: true });
      expect(reply.headers?.get('Nats-Service-Error-Code')).toBe('504');
      expect(reply.headers?.get('Switchboard-Error-Code')).toBe('DEADLINE_EXCEEDED');
      expect(probeCalls).toBe(before);
    });

    it('rejects a deadline that is not epoch milliseconds', async () => {
      const before = probeCalls;
      const relative = headers();
      relative.set('Switchboard-Deadline', '5s');
      const reply = await rawRequest(Probe.subject, '{}', relative);
      expect(reply.body).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
      expect(probeCalls).toBe(before);
    });

    it('hands the deadline a raw client sent to the handler', async () => {
      const deadline = Date.now() + 60_000;
      const given = headers();
      given.set('Switchboard-Deadline', String(deadline));
      const reply = await rawRequest(Probe.subject, '{}', given);
      expect(reply.body).toMatchObject({ ok: true, deadline });
    });

    it('gives a request without a deadline the default budget of 5 s', async () => {
      const before = Date.now();
      const reply = await rawRequest(Probe.subject, '{}');
      const after = Date.now();
      expect(reply.body['deadline']).toBeGreaterThanOrEqual(before + 5_000);
      expect(reply.body['deadline']).toBeLessThanOrEqual(after + 5_000);
    });

    it('sends the deadline of a typed call in a header', async () => {
      const seen: MsgHdrs[] = [];
      const spy = raw.subscribe(Spy.subject, {
        callback: (_error, msg) => {
          if (msg.headers) seen.push(msg.headers);
          msg.respond(new TextEncoder().encode('{"ok":true}'));
        },
      });
      await raw.flush();
      try {
        const before = Date.now();
        await rpc.call(Spy, {}, { timeoutMs: 30_000 });
        const after = Date.now();
        expect(seen).toHaveLength(1);
        const deadline = Number(seen[0].get('Switchboard-Deadline'));
        expect(deadline).toBeGreaterThanOrEqual(before + 30_000);
        expect(deadline).toBeLessThanOrEqual(after + 30_000);
        expect(seen[0].get('Switchboard-Source')).toBe('test');
        expect(isValidTraceparent(seen[0].get('traceparent'))).toBe(true);
      } finally {
        spy.unsubscribe();
      }
    });

    it('forwards the deadline of the request being handled when it is the nearer one', async () => {
      const before = Date.now();
      const reply = await rpc.call(Relay, { onwardTimeoutMs: 30_000 }, { timeoutMs: 3_000 });
      expect(reply.deadline).toBeGreaterThanOrEqual(before + 3_000);
      expect(reply.downstream?.deadline).toBe(reply.deadline);
      expect(reply.downstream?.remainingMs).toBeLessThanOrEqual(3_000);
    });

    it("uses the onward call's own time-out when that is the nearer one", async () => {
      const reply = await rpc.call(Relay, { onwardTimeoutMs: 1_000 }, { timeoutMs: 30_000 });
      expect(reply.downstream?.deadline).toBeLessThan(reply.deadline ?? 0);
      expect(reply.downstream?.remainingMs).toBeLessThanOrEqual(1_000);
    });

    it('fails an onward call at once, without sending it, once the budget is spent', async () => {
      const before = probeCalls;
      const tight = headers();
      tight.set('Switchboard-Deadline', String(Date.now() + 1_000));
      // The handler outlives its budget, then calls onward with a 30 s time-out of its own.
      const body = '{"waitMs":1200,"onwardTimeoutMs":30000}';
      const reply = await rawRequest(Relay.subject, body, tight);
      expect(reply.body).toMatchObject({
        ok: true,
        downstream: null,
        onwardError: { code: 'DEADLINE_EXCEEDED' },
      });
      expect((reply.body['onwardError'] as { afterMs: number }).afterMs).toBeLessThan(1_000);
      expect(probeCalls).toBe(before);
    });

    it('gives a call outside any handler its own time-out', async () => {
      const before = Date.now();
      const reply = await rpc.call(Probe, {}, { timeoutMs: 20_000 });
      expect(reply.deadline).toBeGreaterThanOrEqual(before + 20_000);
    });
  });

  describe('trace context', () => {
    it('carries the trace id the caller started to the handler and onward', async () => {
      const started = newTraceContext();
      const reply = await runWithCallContext({ trace: started }, () => rpc.call(Relay, {}));
      const upstream = reply.traceparent ?? '';
      const downstream = reply.downstream?.traceparent ?? '';
      expect(traceIdOf(upstream)).toBe(traceIdOf(started.traceparent));
      expect(traceIdOf(downstream)).toBe(traceIdOf(started.traceparent));
      // Each hop is a new span of the same trace.
      const spans = [started.traceparent, upstream, downstream].map(parentIdOf);
      expect(new Set(spans).size).toBe(3);
    });

    it('starts a trace for a call made outside any, shared by the calls it causes', async () => {
      const reply = await rpc.call(Relay, {});
      expect(isValidTraceparent(reply.traceparent ?? '')).toBe(true);
      expect(traceIdOf(reply.downstream?.traceparent ?? '')).toBe(
        traceIdOf(reply.traceparent ?? ''),
      );
    });

    it('shows the traceparent of a raw request to the handler', async () => {
      const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      const traced = headers();
      traced.set('traceparent', traceparent);
      traced.set('tracestate', 'rojo=00f067aa0ba902b7');
      const reply = await rawRequest(Probe.subject, '{}', traced);
      expect(reply.body).toMatchObject({ ok: true, traceparent });
    });

    it('takes a Traceparent header spelt as nats.go sends it', async () => {
      const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      const traced = headers();
      traced.set('Traceparent', traceparent);
      const reply = await rawRequest(Probe.subject, '{}', traced);
      expect(reply.body).toMatchObject({ ok: true, traceparent });
    });

    it('ignores a malformed traceparent and starts a new trace', async () => {
      const traced = headers();
      traced.set('traceparent', '00-00000000000000000000000000000000-00f067aa0ba902b7-01');
      const reply = await rawRequest(Probe.subject, '{}', traced);
      const seen = String(reply.body['traceparent']);
      expect(isValidTraceparent(seen)).toBe(true);
      expect(traceIdOf(seen)).not.toBe('00000000000000000000000000000000');
    });
  });

  it('reads request headers from the raw block nats.js receives, as nats.js would', async () => {
    const received: Msg[] = [];
    const subject = 'test.wire-headers';
    const subscription = raw.subscribe(subject, { callback: (_error, msg) => received.push(msg) });
    await raw.flush();
    try {
      const sent = headers();
      sent.set('Switchboard-Source', 'a: value with a colon');
      sent.set('SWITCHBOARD-DEADLINE', '1764151200123');
      sent.set('tracestate', 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
      sent.append('tracestate', 'second=ignored');
      sent.set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
      raw.publish(subject, new Uint8Array(0), { headers: sent });
      raw.publish(subject, new TextEncoder().encode('no headers'));
      await waitFor(() => received.length === 2, { timeoutMs: 2_000, message: 'not received' });
      // The fast path is live with the installed nats.js, not only its msg.headers fallback.
      expect(rawHeaderBlock(received[0])).toBeInstanceOf(Uint8Array);
      expect(readRequestHeaders(received[0])).toEqual({
        deadline: '1764151200123',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
      });
      expect(rawHeaderBlock(received[1])).toBeNull();
      expect(readRequestHeaders(received[1])).toEqual({});
    } finally {
      subscription.unsubscribe();
    }
  });
});

describe('NATS transport shutdown', () => {
  it('fails calls at once with UNAVAILABLE once the connection is gone', async () => {
    const nats = await startNatsServer({ jetstream: false });
    const app = await startApp(nats.url);
    try {
      const rpc = app.get(RpcClient);
      await expect(rpc.call(Greet, { name: 'before' })).resolves.toEqual({
        greeting: 'hello before',
      });
      await app.close();
      const started = Date.now();
      const error = await rpc
        .call(Greet, { name: 'after' }, { timeoutMs: 30_000 })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'UNAVAILABLE', retriable: true });
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      await nats.stop();
    }
  });

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
