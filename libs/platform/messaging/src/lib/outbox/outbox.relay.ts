import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { inboxPrefixOf } from '@switchboard/contracts';
import { type Msg, type MsgHdrs, headers as natsHeaders, type NatsConnection } from 'nats';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { DataSource, type EntitySubscriberInterface, type TransactionCommitEvent } from 'typeorm';
import {
  failSpan,
  messagingAttributes,
  SpanKind,
  startSpan,
  tracingEnabled,
} from '../context/spans';
import { newTraceContext, traceContextFrom, writeTraceHeaders } from '../context/trace-context';
import { EventHeaders } from '../jetstream/event-headers';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import {
  type MessagingMetrics,
  messagingMetricsOf,
  METRICS_REGISTRY,
} from '../metrics/messaging-metrics';
import { NATS_CONNECTION } from '../nats/nats-connection';
import { ReplyInbox } from '../nats/reply-inbox';
import { WireHeaders } from '../nats/wire-headers';
import { isPostgres, queryRows } from '../storage/messaging-sql';
import { OUTBOX_WRITTEN } from './outbox';
import { Wakeup } from './wakeup';

const BATCH_SIZE = 200;
/** Without a nudge (another process wrote the row, or a nudge was missed) rows wait at most this. */
const IDLE_POLL_MS = 1_000;
const MAX_BACKOFF_MS = 5_000;
/** How long a publish waits for its PubAck (nats.js's `js.publish` default). */
const PUBACK_TIMEOUT_MS = 5_000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Publishes committed outbox rows to JetStream and deletes them after the PubAck. A commit that
 * wrote outbox rows wakes it at once (no hot polling); several relays share the work on Postgres
 * (`FOR UPDATE SKIP LOCKED`); a crash between publish and delete only re-publishes rows, which
 * JetStream drops as duplicates of the same `Nats-Msg-Id`.
 */
@Injectable()
export class OutboxRelay
  implements OnApplicationBootstrap, BeforeApplicationShutdown, EntitySubscriberInterface
{
  private readonly log = new Logger(OutboxRelay.name);
  /** PubAcks arrive on one reply subscription, as `js.publish` would get them, minus its per-call costs. */
  private readonly pubAcks: ReplyInbox;
  private running = false;
  private loop?: Promise<void>;
  private readonly wakeup = new Wakeup();
  /** Events published since boot, for tests (`events_published_total` counts them by subject). */
  published = 0;
  private readonly metrics: MessagingMetrics;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(NATS_CONNECTION) connection: NatsConnection,
    @Inject(MESSAGING_OPTIONS) options: MessagingOptions,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.metrics = messagingMetricsOf(registry);
    this.pubAcks = new ReplyInbox(connection, inboxPrefixOf(options.serviceName));
  }

  onApplicationBootstrap(): void {
    // TypeORM calls subscribers it finds on the data source; this is how Nest providers join in.
    this.dataSource.subscribers.push(this);
    this.running = true;
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.nudge();
    await this.loop;
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    // A released savepoint is not a commit: the rows become visible when the transaction commits.
    if (event.queryRunner.isTransactionActive || !event.queryRunner.data[OUTBOX_WRITTEN]) return;
    event.queryRunner.data[OUTBOX_WRITTEN] = false;
    this.nudge();
  }

  /** Ask the relay to look for rows now. */
  nudge(): void {
    this.wakeup.nudge();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const count = await this.publishBatch();
        failures = 0;
        if (count === BATCH_SIZE) continue; // more waiting: no pause
      } catch (error) {
        failures += 1;
        const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(failures, 6));
        this.log.warn(
          `Outbox relay failed (attempt ${failures}), retrying in ${delay} ms: ${String(error)}`,
        );
        await sleep(delay);
        continue;
      }
      await this.wakeup.pause(IDLE_POLL_MS);
    }
  }

  /** Publishes up to one batch in id order; returns how many rows it published. */
  publishBatch(): Promise<number> {
    return isPostgres(this.dataSource) ? this.claimAndPublish() : this.publishThenDelete();
  }

  /**
   * Postgres: one statement claims and deletes the oldest rows (`FOR UPDATE SKIP LOCKED`, so relays
   * sharing the table never take the same row), the batch is published, and the transaction commits
   * only after every PubAck. A failed publish or a crash rolls the delete back: the rows wait for
   * the next attempt. Three statements per batch: BEGIN, DELETE … RETURNING, COMMIT.
   */
  private claimAndPublish(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await queryRows<OutboxRow>(manager, CLAIM_POSTGRES, [BATCH_SIZE]);
      if (rows.length === 0) return 0;
      await this.publish(rows);
      this.published += rows.length;
      return rows.length;
    });
  }

  /**
   * SQLite: one process owns the file, so no other relay can take these rows. They are read in a
   * transaction of their own (SQLite transactions of a process take turns on its one connection;
   * inside one, nothing uncommitted of another is visible), published, then deleted in a second
   * short transaction — the write lock is not held while the PubAcks are awaited, so the process's
   * other transactions do not wait for NATS. A crash between publish and delete publishes the rows
   * again, which JetStream drops as duplicates.
   */
  private async publishThenDelete(): Promise<number> {
    const rows = await this.dataSource.transaction((manager) =>
      queryRows<OutboxRow>(manager, SELECT_SQLITE, [BATCH_SIZE]),
    );
    if (rows.length === 0) return 0;
    await this.publish(rows);
    await this.dataSource.transaction(async (manager) => {
      const ids = rows.map(() => '?').join(', ');
      await queryRows(
        manager,
        `DELETE FROM outbox WHERE id IN (${ids})`,
        rows.map((row) => row.id),
      );
      this.published += rows.length;
    });
    return rows.length;
  }

  /**
   * Publishes in id order on one connection, as `js.publish` does (`Nats-Msg-Id` = row id, a
   * request for the stream's PubAck); every message is sent before any PubAck is awaited, and the
   * batch fails if one is refused or unanswered.
   */
  private async publish(rows: OutboxRow[]): Promise<void> {
    rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const tracing = tracingEnabled();
    await Promise.all(
      rows.map((row) => {
        const headers = natsHeaders();
        const stored = JSON.parse(row.headers) as Record<string, string>;
        for (const key in stored) headers.set(key, stored[key] as string);
        headers.set(EventHeaders.EVENT_ID, row.id);
        headers.set(MSG_ID_HEADER, row.id);
        const span = tracing ? startSend(row, stored, headers) : undefined;
        return this.pubAcks
          .request(row.subject, encoder.encode(row.payload), headers, PUBACK_TIMEOUT_MS)
          .then((reply) => checkPubAck(row.subject, reply))
          .then(
            () => {
              span?.end();
              this.metrics.eventsPublished.inc({ subject: row.subject });
            },
            (error: unknown) => {
              failSpan(span, error);
              span?.end();
              throw error;
            },
          );
      }),
    );
  }
}

/**
 * The `send` span of one event, a child of its `create` span (the context stored with the row);
 * the message carries the `send` span's context on, so consumers' `process` spans follow it.
 */
function startSend(row: OutboxRow, stored: Record<string, string>, headers: MsgHdrs) {
  const created = traceContextFrom(stored[WireHeaders.TRACEPARENT], stored[WireHeaders.TRACESTATE]);
  const { span, trace } = startSpan(
    `send ${row.subject}`,
    {
      kind: SpanKind.PRODUCER,
      parent: created,
      attributes: messagingAttributes('send', row.subject, {
        'messaging.message.id': row.id,
        'messaging.message.body.size': Buffer.byteLength(row.payload),
      }),
    },
    () => created ?? newTraceContext(),
  );
  if (span) writeTraceHeaders(headers, trace);
  return span;
}

/** JetStream's de-duplication header (what `js.publish` sets from its `msgID` option). */
const MSG_ID_HEADER = 'Nats-Msg-Id';

/** A PubAck is `{"stream", "seq", "duplicate"?}`, or `{"error": {…}}` when the stream refused it. */
function checkPubAck(subject: string, reply: Msg): void {
  let ack: { stream?: string; error?: { code?: number; err_code?: number; description?: string } };
  try {
    ack = JSON.parse(decoder.decode(reply.data)) as typeof ack;
  } catch {
    throw new Error(`Publishing ${subject}: the answer was not a PubAck`);
  }
  if (ack.error) {
    throw new Error(
      `Publishing ${subject}: JetStream refused it (${ack.error.err_code ?? ack.error.code}: ${ack.error.description})`,
    );
  }
  if (!ack.stream) throw new Error(`Publishing ${subject}: the answer was not a PubAck`);
}

interface OutboxRow {
  id: string;
  subject: string;
  payload: string;
  headers: string;
}

/**
 * By `ctid`: the rows the sub-select locked are deleted where they lie. `id IN (SELECT …)` lets the
 * planner join against a sequential scan of the whole table, which an outbox with many rows deleted
 * since the last vacuum makes slow.
 */
const CLAIM_POSTGRES =
  'DELETE FROM outbox WHERE ctid = ANY(ARRAY(' +
  'SELECT ctid FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED' +
  ')) RETURNING id, subject, payload, headers';

const SELECT_SQLITE = 'SELECT id, subject, payload, headers FROM outbox ORDER BY id LIMIT ?';
