import { Body, Controller, Module, Post } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { defineEvent, defineRpc, type EventPayload } from '@switchboard/contracts';
import { Public } from '@switchboard/platform-auth';
import {
  EventContext,
  EventHandler,
  Outbox,
  RpcClient,
  RpcHandler,
  UnprocessableEvent,
} from '@switchboard/platform-messaging';
import {
  createTestEnvironment,
  type TestEnvironment,
  waitFor,
} from '@switchboard/platform-testing';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { createServiceApp, type ServiceApp } from '../bootstrap/create-service-app';
import { type ServiceDefinition } from '../bootstrap/service-definition';

const NoteWritten = defineEvent({
  subject: 'evt.chat.note.written.v1',
  payload: z.object({ text: z.string() }),
});
const CountNotes = defineRpc({
  subject: 'rpc.chat.count-notes.v1',
  request: z.object({}),
  result: z.object({ count: z.number().int() }),
});

/** "chat": announces notes over HTTP, counts them over RPC. */
@Public()
@Controller('notes')
class NotesController {
  private written = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  @Post()
  async write(@Body() body: { text: string }): Promise<{ ok: true }> {
    await this.dataSource.transaction((manager) => this.outbox.add(manager, NoteWritten, body));
    this.written += 1;
    return { ok: true };
  }

  @RpcHandler(CountNotes)
  count(): { count: number } {
    return { count: this.written };
  }
}

/** "bots": hears every note; a note saying "poison" can never be handled. */
@Controller()
class NoteHandler {
  @EventHandler(NoteWritten)
  heard(@Payload() note: EventPayload<typeof NoteWritten>, @Ctx() _: EventContext): void {
    if (note.text === 'poison') throw new UnprocessableEvent('this note poisons bots');
  }
}

@Module({ controllers: [NotesController] })
class NotesModule {}
@Module({ controllers: [NoteHandler] })
class HeardModule {}

const monolith: ServiceDefinition = {
  name: 'monolith',
  defaultPort: 0,
  domains: [
    { name: 'chat', module: NotesModule, entities: [], migrations: [] },
    {
      name: 'bots',
      module: HeardModule,
      entities: [],
      migrations: [],
      calls: [CountNotes],
    },
  ],
};

const CONSUMER = 'bots_evt-chat-note-written-v1';

/**
 * `/metrics` after known traffic: the counts a Prometheus scrape would see. One process hosts both
 * domains (each with its own database), so one scrape shows both ends of every hop.
 */
describe('GET /metrics (real Postgres + nats-server)', () => {
  let env: TestEnvironment;
  let service: ServiceApp;
  let url: string;

  beforeAll(async () => {
    env = await createTestEnvironment(['chat', 'bots']);
    service = await createServiceApp(monolith, env.envForDomains(['chat', 'bots']));
    await service.app.listen(0, '127.0.0.1');
    url = (await service.app.getUrl()).replace('[::1]', '127.0.0.1');
  }, 60_000);

  afterAll(async () => {
    await service?.app.close();
    await env?.stop();
  });

  const scrape = async (): Promise<string> => {
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };
  /** The value of the series `name{…labels}` in a scrape; `undefined` when there is none. */
  const valueOf = (text: string, name: string, labels: Record<string, string> = {}) => {
    const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
    const line = text
      .split('\n')
      .find(
        (candidate) =>
          (candidate.startsWith(`${name}{`) || candidate.startsWith(`${name} `)) &&
          wanted.every((pair) => candidate.includes(pair)),
      );
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  const post = (text: string) =>
    fetch(`${url}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    });

  it('counts HTTP requests by route and status, RPCs at both ends, and events end to end', async () => {
    for (const text of ['a', 'b', 'c', 'd']) expect((await post(text)).status).toBe(201);
    const bad = await fetch(`${url}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(bad.status).toBe(400);
    const rpc = service.app.get(RpcClient);
    expect(await rpc.call(CountNotes, {})).toEqual({ count: 4 });
    expect(await rpc.call(CountNotes, {})).toEqual({ count: 4 });

    let text = '';
    await waitFor(
      async () => {
        text = await scrape();
        return valueOf(text, 'events_process_duration_seconds_count', { outcome: 'ack' }) === 4;
      },
      { message: 'bots did not handle the four notes' },
    );
    const http = { method: 'POST', route: '/notes' };
    expect(valueOf(text, 'http_server_duration_seconds_count', { ...http, status: '201' })).toBe(4);
    expect(valueOf(text, 'http_server_duration_seconds_count', { ...http, status: '400' })).toBe(1);
    // Probes and scrapes are not traffic.
    expect(text).not.toContain('route="/metrics"');
    const rpcSeries = { subject: CountNotes.subject, code: 'OK' };
    expect(valueOf(text, 'rpc_client_duration_seconds_count', rpcSeries)).toBe(2);
    expect(valueOf(text, 'rpc_server_duration_seconds_count', rpcSeries)).toBe(2);
    expect(valueOf(text, 'events_published_total', { subject: NoteWritten.subject })).toBe(4);
    expect(
      valueOf(text, 'events_process_duration_seconds_count', {
        consumer: CONSUMER,
        outcome: 'ack',
      }),
    ).toBe(4);
    // Everything published: both outboxes are empty, and say so.
    for (const domain of ['chat', 'bots']) {
      expect(valueOf(text, 'outbox_backlog_events', { domain })).toBe(0);
      expect(valueOf(text, 'outbox_oldest_event_age_seconds', { domain })).toBe(0);
    }
    expect(valueOf(text, 'dlq_events', { consumer: CONSUMER })).toBe(0);
    expect(valueOf(text, 'nats_reconnects_total')).toBe(0);
    expect(valueOf(text, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThan(0);
  });

  it('shows a dead letter in the DLQ gauge of the consumer that gave up on it', async () => {
    expect((await post('poison')).status).toBe(201);
    let text = '';
    await waitFor(
      async () => {
        text = await scrape();
        return valueOf(text, 'dlq_events', { consumer: CONSUMER }) === 1;
      },
      { message: 'the poison note never showed in dlq_events' },
    );
    expect(
      valueOf(text, 'events_process_duration_seconds_count', {
        consumer: CONSUMER,
        outcome: 'dead-lettered',
      }),
    ).toBe(1);
  });

  it("shows a stopped consumer's lag growing with every event published meanwhile", async () => {
    // Stops pulling, as a consumer stuck or shutting down would; the service goes on publishing.
    await service.eventConsumers?.close();
    const lag = async () =>
      valueOf(await scrape(), 'events_consumer_pending', { consumer: CONSUMER });
    expect(await lag()).toBe(0);
    for (const text of ['e', 'f', 'g']) await post(text);
    await waitFor(async () => (await lag()) === 3, { message: 'the lag did not reach 3' });
    await post('h');
    await waitFor(async () => (await lag()) === 4, { message: 'the lag did not reach 4' });
  });
});
