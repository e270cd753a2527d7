import { signDevToken } from '@switchboard/platform-auth';
import { type ServiceProcess, TEST_JWT_SECRET, waitFor } from '@switchboard/platform-testing';
import { OtlpKind, OtlpReceiver, type ReceivedSpan } from './otlp-receiver';
import { json } from './services';
import { e2eTopology, processHosting, startGateway, startSystem, type System } from './system';

const CREATED = 'evt.chat.message.created.v1';
const POST_MESSAGE = 'rpc.chat.post-message.v1';

/**
 * One `/echo` posted through the gateway, with tracing on in every process (OTLP/HTTP JSON to a
 * receiver in this test): the whole exchange is one trace, each hop the child of the one before.
 */
describe(`telemetry: one trace for /echo across gateway, chat and bots (${e2eTopology()})`, () => {
  const receiver = new OtlpReceiver();
  let system: System;
  let gateway: ServiceProcess;
  let headers: Record<string, string>;

  beforeAll(async () => {
    await receiver.start();
    const otel = { ...receiver.envFor(), LOG_LEVEL: 'info' };
    system = await startSystem(['chat', 'bots'], { chat: otel, bots: otel });
    gateway = await startGateway(system, otel);
    headers = {
      authorization: `Bearer ${await signDevToken('alice', TEST_JWT_SECRET)}`,
      'content-type': 'application/json',
    };
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await system?.stop();
    await receiver.stop();
  });

  const api = (path: string, body: unknown) =>
    fetch(`${gateway.url}/api/chat${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });

  it('records gateway → chat → outbox → relay → bots → RPC → chat → … → gateway feed as one trace', async () => {
    const conversation = await json<{ id: string }>(await api('/conversations', { title: 'otel' }));
    const posted = await api(`/conversations/${conversation.id}/messages`, { text: '/echo otel' });
    expect(posted.status).toBe(201);
    const traceId = (posted.headers.get('traceparent') ?? '').split('-')[1] ?? '';
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const inTrace = () => receiver.spans.filter((span) => span.traceId === traceId);
    const find = (name: string, kind: number, service?: string) =>
      inTrace().filter(
        (span) =>
          span.name === name && span.kind === kind && (!service || span.service === service),
      );
    const chatService = processHosting('chat').name;
    const botsService = processHosting('bots').name;
    // Each process exports on its own schedule: wait until every hop has arrived — the gateway's
    // feed for the post and the answer, bots' consumer for both, and chat answering bots' RPC.
    await waitFor(
      () =>
        find(`process ${CREATED}`, OtlpKind.CONSUMER, 'gateway').length === 2 &&
        find(`process ${CREATED}`, OtlpKind.CONSUMER, botsService).length === 2 &&
        find(`process ${POST_MESSAGE}`, OtlpKind.SERVER, chatService).length === 1,
      { timeoutMs: 15_000, message: `the services did not export every span of trace ${traceId}` },
    );
    const only = (name: string, kind: number, service: string, parent?: ReceivedSpan) => {
      const found = find(name, kind, service).filter(
        (span) => parent === undefined || span.parentSpanId === parent.spanId,
      );
      expect(found.map((span) => `${span.service} ${span.name}`)).toEqual([`${service} ${name}`]);
      return found[0] as ReceivedSpan;
    };

    const edge = only('POST /api/:service/*', OtlpKind.SERVER, 'gateway');
    const hop = only('POST', OtlpKind.CLIENT, 'gateway', edge);
    const served = only('POST /conversations/:id/messages', OtlpKind.SERVER, chatService, hop);
    const created = only(`create ${CREATED}`, OtlpKind.PRODUCER, chatService, served);
    const sent = only(`send ${CREATED}`, OtlpKind.PRODUCER, chatService, created);
    const consumed = only(`process ${CREATED}`, OtlpKind.CONSUMER, botsService, sent);
    const called = only(`send ${POST_MESSAGE}`, OtlpKind.CLIENT, botsService, consumed);
    const answered = only(`process ${POST_MESSAGE}`, OtlpKind.SERVER, chatService, called);
    const answerCreated = only(`create ${CREATED}`, OtlpKind.PRODUCER, chatService, answered);
    const answerSent = only(`send ${CREATED}`, OtlpKind.PRODUCER, chatService, answerCreated);
    only(`process ${CREATED}`, OtlpKind.CONSUMER, 'gateway', answerSent);
    only(`process ${CREATED}`, OtlpKind.CONSUMER, 'gateway', sent);

    expect(edge.parentSpanId).toBeUndefined(); // the client sent no traceparent: a new trace
    expect(edge.attributes).toMatchObject({ 'http.response.status_code': 201 });
    expect(served.attributes).toMatchObject({
      'http.route': '/conversations/:id/messages',
      'http.response.status_code': 201,
    });
    expect(consumed.attributes).toMatchObject({
      'messaging.system': 'nats',
      'messaging.destination.name': CREATED,
      'messaging.consumer.group.name': `bots_${CREATED.replace(/\./g, '-')}`,
    });
    expect(consumed.events).toEqual(['ack']);
    // The database work is in the trace too, under the request that did it.
    const statements = inTrace().filter(
      (span) => span.service === chatService && span.parentSpanId === served.spanId,
    );
    expect(statements.map((span) => span.attributes['db.system.name'])).toContain('postgresql');
    expect(statements.map((span) => String(span.attributes['db.query.text']))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^INSERT INTO "messages"/),
        expect.stringMatching(/^INSERT INTO outbox/),
      ]),
    );

    // Both services' log lines of this exchange carry its trace id and the span they belong to.
    for (const domain of ['chat', 'bots']) {
      const lines = system
        .logsOf(domain)
        .filter((line) => line.includes(`"trace_id":"${traceId}"`));
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.every((line) => /"span_id":"[0-9a-f]{16}"/.test(line))).toBe(true);
    }
    const answeredLine = system
      .logsOf('bots')
      .find((line) => line.includes('echo-bot answered') && line.includes(traceId));
    expect(answeredLine).toContain(`"span_id":"${consumed.spanId}"`);
  });
});
