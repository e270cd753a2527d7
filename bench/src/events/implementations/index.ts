import { type EventsImplementation, type EventsImplementationName } from './implementation';

export * from './implementation';

interface EventsImplementationEntry {
  /** One line for the report. */
  readonly description: string;
  /** Whether each side needs a Postgres database of its own. */
  readonly needsDatabases: boolean;
  /** Loaded lazily: the raw processes never load Nest or TypeORM. */
  readonly load: () => Promise<EventsImplementation>;
}

export const EVENTS_IMPLEMENTATIONS: Record<EventsImplementationName, EventsImplementationEntry> = {
  raw: {
    description:
      'js.publish (pipelined PubAcks) -> durable pull consumer, consume(), JSON.parse, ack',
    needsDatabases: false,
    load: async () => (await import('./raw.implementation')).rawEventsImplementation,
  },
  platform: {
    description:
      'Outbox.add in a transaction -> OutboxRelay -> JetStreamTransport @EventHandler (inbox + effect row, ack after commit)',
    needsDatabases: true,
    load: async () => (await import('./platform.implementation')).platformEventsImplementation,
  },
  'platform-traced': {
    description:
      'platform with tracing on: create, send and process spans per event and Postgres statements, batched, OTLP/HTTP to a sink',
    needsDatabases: true,
    load: async () =>
      (await import('./platform-traced.implementation')).platformTracedEventsImplementation,
  },
};
