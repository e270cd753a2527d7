import { Controller, type INestApplication } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  AppError,
  defineEvent,
  defineRpc,
  type EventPayload,
  type RpcRequest,
} from '@switchboard/contracts';
import { PersistenceModule } from '@switchboard/platform-persistence';
import {
  createTestEnvironment,
  type TestEnvironment,
  waitFor,
} from '@switchboard/platform-testing';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { type EventContext } from '../events/event-context';
import { JetStreamTransport } from '../events/jetstream.transport';
import { EventHandler, RpcHandler } from '../handler.decorators';
import { MessagingModule } from '../messaging.module';
import { NATS_CONNECTION } from '../nats/nats-connection';
import { Outbox } from '../outbox/outbox';
import { OutboxModule } from '../outbox/outbox.module';
import { NatsTransport } from '../rpc/nats.transport';
import { RpcClient } from '../rpc/rpc.client';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '../storage/messaging-tables';
import { currentSpanId, currentTraceId } from './call-context';

// Registered before anything starts a span, as `startTelemetry` does in a service. The exporter
// keeps every span in memory once it has ended: nothing is sampled out, nothing is sent.
const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
);

const Start = defineRpc({
  subject: 'rpc.traced.start-thing.v1',
  request: z.object({ n: z.number().int(), failTimes: z.number().int().default(0) }).strict(),
  result: z.object({ eventId: z.string() }).strict(),
});
const Look = defineRpc({
  subject: 'rpc.traced.look-up.v1',
  request: z.object({ n: z.number().int() }).strict(),
  result: z.object({ traceId: z.string().nullable(), spanId: z.string().nullable() }).strict(),
});
const Refuse = defineRpc({
  subject: 'rpc.traced.refuse.v1',
  request: z.object({ how: z.enum(['app-error', 'crash']) }).strict(),
  result: z.object({}).strict(),
});
const Started = defineEvent({
  subject: 'evt.traced.thing.started.v1',
  payload: z.object({ n: z.number().int(), failTimes: z.number().int() }).strict(),
});

const attempts = new Map<number, number>();

@Controller()
class Handlers {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly rpc: RpcClient,
  ) {}

  @RpcHandler(Start)
  async start({ n, failTimes }: RpcRequest<typeof Start>) {
    const eventId = await this.dataSource.transaction((manager) =>
      this.outbox.add(manager, Started, { n, failTimes }),
    );
    return { eventId };
  }

  @RpcHandler(Look)
  look() {
    return { traceId: currentTraceId() ?? null, spanId: currentSpanId() ?? null };
  }

  @RpcHandler(Refuse)
  refuse({ how }: RpcRequest<typeof Refuse>) {
    if (how === 'app-error') throw new AppError('TRACED.NOT_YOURS', 'permission_denied', 'no');
    throw new Error('the disk is on fire');
  }

  @EventHandler(Started)
  async started(@Payload() { n, failTimes }: EventPayload<typeof Started>, @Ctx() _: EventContext) {
    attempts.set(n, (attempts.get(n) ?? 0) + 1);
    if ((attempts.get(n) ?? 0) <= failTimes) throw new Error(`thing ${n} failed on purpose`);
    await this.rpc.call(Look, { n });
  }
}

describe('tracing: one trace across RPC, outbox, relay and consumer (in-memory span exporter)', () => {
  let env: TestEnvironment;
  let app: INestApplication;
  let rpc: RpcClient;

  beforeAll(async () => {
    env = await createTestEnvironment(['traced']);
    const moduleRef = await Test.createTestingModule({
      imports: [
        PersistenceModule.forRoot({
          url: env.databases['traced'].url,
          entities: [...MESSAGING_ENTITIES],
          migrations: [...MESSAGING_MIGRATIONS],
          migrate: true,
        }),
        MessagingModule.forRoot({ serviceName: 'traced', natsUrl: env.nats.url }),
        OutboxModule,
      ],
      controllers: [Handlers],
    }).compile();
    app = moduleRef.createNestApplication(new FastifyAdapter(), { logger: ['error'] });
    const nats = app.get(NATS_CONNECTION);
    // "traced" is not a platform domain, so its stream is made here.
    await (
      await nats.jetstreamManager()
    ).streams.add({
      name: 'TRACED',
      subjects: ['evt.traced.>'],
    });
    app.connectMicroservice({ strategy: new NatsTransport({ connection: nats }) });
    app.connectMicroservice({
      strategy: new JetStreamTransport({
        connection: nats,
        domains: [{ name: 'traced', dataSource: app.get(DataSource) }],
        backoffMs: 50,
      }),
    });
    await app.startAllMicroservices();
    await app.init();
    rpc = app.get(RpcClient);
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    await env?.stop();
  });

  beforeEach(() => exporter.reset());

  const spans = () => exporter.getFinishedSpans();
  const named = (name: string) => spans().filter((span) => span.name === name);
  const one = (name: string): ReadableSpan => {
    const found = named(name);
    expect(found.map((span) => span.name)).toEqual([name]);
    return found[0] as ReadableSpan;
  };
  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
  const idOf = (span: ReadableSpan) => span.spanContext().spanId;

  it('links every hop of an RPC that emits an event whose handler calls an RPC into one trace', async () => {
    await rpc.call(Start, { n: 1, failTimes: 0 });
    // The chain ends with the handler's onward RPC and the ack of its delivery.
    await waitFor(() => named('process evt.traced.thing.started.v1').length === 1, {
      timeoutMs: 10_000,
    });

    const clientCall = one('send rpc.traced.start-thing.v1');
    const served = one('process rpc.traced.start-thing.v1');
    const created = one('create evt.traced.thing.started.v1');
    const sent = one('send evt.traced.thing.started.v1');
    const processed = one('process evt.traced.thing.started.v1');
    const onward = one('send rpc.traced.look-up.v1');
    const answered = one('process rpc.traced.look-up.v1');

    const traceId = clientCall.spanContext().traceId;
    for (const span of [served, created, sent, processed, onward, answered]) {
      expect(span.spanContext().traceId).toBe(traceId);
    }
    expect(parentOf(clientCall)).toBeUndefined(); // called outside any work: a new trace
    expect(parentOf(served)).toBe(idOf(clientCall));
    expect(parentOf(created)).toBe(idOf(served));
    expect(parentOf(sent)).toBe(idOf(created));
    expect(parentOf(processed)).toBe(idOf(sent));
    expect(parentOf(onward)).toBe(idOf(processed));
    expect(parentOf(answered)).toBe(idOf(onward));

    expect(
      [clientCall, served, created, sent, processed, onward, answered].map((s) => s.kind),
    ).toEqual([
      SpanKind.CLIENT,
      SpanKind.SERVER,
      SpanKind.PRODUCER,
      SpanKind.PRODUCER,
      SpanKind.CONSUMER,
      SpanKind.CLIENT,
      SpanKind.SERVER,
    ]);
    expect(processed.attributes).toMatchObject({
      'messaging.system': 'nats',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'evt.traced.thing.started.v1',
      'messaging.consumer.group.name': 'traced_evt-traced-thing-started-v1',
      'messaging.message.id': created.attributes['messaging.message.id'],
      'switchboard.attempt': 1,
    });
    expect(processed.events.map((event) => event.name)).toEqual(['ack']);
  });

  it('gives the handler the span it runs in: the trace and span ids its logs print', async () => {
    const seen = await rpc.call(Look, { n: 2 });
    const answered = one('process rpc.traced.look-up.v1');
    expect(seen).toEqual({
      traceId: answered.spanContext().traceId,
      spanId: answered.spanContext().spanId,
    });
  });

  it('records a retried delivery on its span: nak with the error, then ack on the next attempt', async () => {
    await rpc.call(Start, { n: 3, failTimes: 1 });
    await waitFor(
      () => named('process evt.traced.thing.started.v1').some((s) => s.events[0]?.name === 'ack'),
      { timeoutMs: 10_000 },
    );
    const [failed, succeeded] = named('process evt.traced.thing.started.v1').sort(
      (a, b) =>
        Number(a.attributes['switchboard.attempt']) - Number(b.attributes['switchboard.attempt']),
    ) as [ReadableSpan, ReadableSpan];
    expect(
      failed.events.map((event) => [event.name, event.attributes?.['switchboard.reason']]),
    ).toEqual([['nak', 'retry']]);
    expect(failed.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed.attributes['error.type']).toBe('Error');
    expect(succeeded.attributes['switchboard.attempt']).toBe(2);
    expect(succeeded.events.map((event) => event.name)).toEqual(['ack']);
    // Both deliveries continue the same trace, under the same send span.
    expect(parentOf(failed)).toBe(parentOf(succeeded));
  });

  it("marks a server span failed only for the server's own fault, with the error id it answered", async () => {
    await expect(rpc.call(Refuse, { how: 'app-error' })).rejects.toThrow('no');
    const refused = one('process rpc.traced.refuse.v1');
    expect(refused.attributes['error.type']).toBe('TRACED.NOT_YOURS');
    expect(refused.status.code).toBe(SpanStatusCode.UNSET);
    // The caller's span failed: its call did not get what it asked for.
    expect(one('send rpc.traced.refuse.v1').status.code).toBe(SpanStatusCode.ERROR);

    exporter.reset();
    const crash = await rpc.call(Refuse, { how: 'crash' }).catch((error: unknown) => error);
    const errorId = ((crash as AppError).details as { errorId?: string } | undefined)?.errorId;
    expect(errorId).toMatch(/^[0-9a-f-]{36}$/);
    const crashed = one('process rpc.traced.refuse.v1');
    expect(crashed.status.code).toBe(SpanStatusCode.ERROR);
    expect(crashed.attributes).toMatchObject({
      'error.type': 'Error',
      'switchboard.error_id': errorId,
    });
  });
});
