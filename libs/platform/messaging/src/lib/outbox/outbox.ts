import { Inject, Injectable } from '@nestjs/common';
import { describeIssues, type EventContract, type EventPayload } from '@switchboard/contracts';
import { uuidv7 } from '@switchboard/platform-persistence';
import {
  type DataSource,
  type EntityManager,
  type EntitySubscriberInterface,
  type QueryRunner,
} from 'typeorm';
import { startOutgoingSpan } from '../context/call-context';
import { messagingAttributes, SpanKind } from '../context/spans';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import { WireHeaders } from '../nats/wire-headers';
import { multiRowValues, queryRows, timestampWriter } from '../storage/messaging-sql';
import { OutboxMessageEntity } from '../storage/outbox-message.entity';

/** Query-runner flag the commit hook reads to wake the relay. */
export const OUTBOX_WRITTEN = 'switchboard.outboxWritten';

/** Query-runner key of the rows added in the open transaction and not inserted yet. */
const OUTBOX_PENDING = 'switchboard.outboxPending';

/** Rows per INSERT statement: 5 parameters each, far below either database's limit. */
const ROWS_PER_INSERT = 500;

export interface OutboxAddOptions {
  /** Extra headers to publish with the event (e.g. `traceparent`). */
  headers?: Record<string, string>;
}

/** An outbox row as it is inserted: id, subject, payload JSON, headers JSON, created at. */
type OutboxRow = [string, string, string, string, Date];

/**
 * The only way to publish an event: `outbox.add(manager, Contract, payload)` inside the transaction
 * that changes the state the event announces. Both commit or neither does; the relay publishes.
 *
 * Inside a transaction the rows are inserted together, in one multi-row `INSERT`, just before the
 * transaction (or the savepoint they were added in) commits, so a transaction announcing several
 * events pays one statement for all of them. Rows of a transaction or savepoint that rolls back are
 * dropped with it. Outside a transaction `add` inserts at once.
 */
@Injectable()
export class Outbox {
  constructor(@Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions) {}

  /** Validates and stores the event; returns its id (also its `Nats-Msg-Id` and event id). */
  async add<C extends EventContract>(
    manager: EntityManager,
    contract: C,
    payload: EventPayload<C>,
    options: OutboxAddOptions = {},
  ): Promise<string> {
    const row = this.rowFor(contract, payload, options);
    await store(manager, [row]);
    return row[0];
  }

  /**
   * `add` for several events of one contract, in order; returns their ids. Validates every payload
   * before storing any.
   */
  async addMany<C extends EventContract>(
    manager: EntityManager,
    contract: C,
    payloads: readonly EventPayload<C>[],
    options: OutboxAddOptions = {},
  ): Promise<string[]> {
    const rows = payloads.map((payload) => this.rowFor(contract, payload, options));
    await store(manager, rows);
    return rows.map((row) => row[0]);
  }

  private rowFor<C extends EventContract>(
    contract: C,
    payload: EventPayload<C>,
    options: OutboxAddOptions,
  ): OutboxRow {
    const hosted = this.options.domains;
    if (hosted !== undefined && !hosted.includes(contract.domain)) {
      throw new Error(
        `${this.options.serviceName} cannot publish ${contract.subject}: a process publishes only ` +
          `the events of the domains it hosts (${hosted.map((domain) => `evt.${domain}.…`).join(', ')})`,
      );
    }
    const parsed = contract.payload.safeParse(payload);
    if (!parsed.success) {
      // A broken event is a bug in this service, not bad input: fail the transaction loudly.
      throw new Error(
        `Event for ${contract.subject} breaks its contract: ${JSON.stringify(describeIssues(parsed.error))}`,
      );
    }
    // The trace of the request that caused the event continues in its consumers. The `create`
    // span marks the moment the event was made; the relay's `send` span follows it.
    const id = uuidv7();
    const { span, trace } = startOutgoingSpan(
      `create ${contract.subject}`,
      SpanKind.PRODUCER,
      messagingAttributes('create', contract.subject, { 'messaging.message.id': id }),
    );
    span?.end();
    const headers: Record<string, string> = {
      [WireHeaders.SOURCE]: this.options.serviceName,
      [WireHeaders.TRACEPARENT]: trace.traceparent,
      ...(trace.tracestate === undefined ? {} : { [WireHeaders.TRACESTATE]: trace.tracestate }),
      ...options.headers,
    };
    return [id, contract.subject, JSON.stringify(parsed.data), JSON.stringify(headers), new Date()];
  }
}

async function store(manager: EntityManager, rows: OutboxRow[]): Promise<void> {
  if (rows.length === 0) return;
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) {
    await insertRows(manager.connection, manager, rows);
    return;
  }
  watchTransactions(manager.connection);
  const pending = (runner.data[OUTBOX_PENDING] as OutboxRow[] | undefined) ?? [];
  pending.push(...rows);
  runner.data[OUTBOX_PENDING] = pending;
  runner.data[OUTBOX_WRITTEN] = true;
}

/**
 * Inserts the rows pending on `runner` in its current transaction level. Called before that level
 * commits, and before a savepoint opens inside it, so the rows pending at any moment always belong
 * to the innermost open level: a rollback of that level drops exactly them.
 */
async function flushPending(runner: QueryRunner): Promise<void> {
  const pending = runner.data[OUTBOX_PENDING] as OutboxRow[] | undefined;
  if (!pending || pending.length === 0) return;
  // Taken before the insert: if it fails, the commit fails and the level rolls back with them.
  runner.data[OUTBOX_PENDING] = undefined;
  await insertRows(runner.connection, runner.manager, pending);
}

async function insertRows(
  dataSource: DataSource,
  manager: EntityManager,
  rows: OutboxRow[],
): Promise<void> {
  const createdAt = timestampWriter(dataSource, OutboxMessageEntity, 'createdAt');
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    const chunk = rows.slice(start, start + ROWS_PER_INSERT);
    const { values, parameters } = multiRowValues(
      dataSource,
      chunk.map(([id, subject, payload, headers, at]) => [
        id,
        subject,
        payload,
        headers,
        createdAt(at),
      ]),
    );
    await queryRows(
      manager,
      `INSERT INTO outbox (id, subject, payload, headers, created_at) VALUES ${values}`,
      parameters,
    );
  }
}

/** One subscriber for every data source: the pending rows live on each transaction's query runner. */
const pendingRowsFlusher: EntitySubscriberInterface = {
  beforeTransactionStart(event) {
    // A savepoint opening inside a transaction with pending rows: they belong to the outer level.
    return flushPending(event.queryRunner);
  },
  beforeTransactionCommit(event) {
    return flushPending(event.queryRunner);
  },
  beforeTransactionRollback(event) {
    event.queryRunner.data[OUTBOX_PENDING] = undefined;
  },
};

const watched = new WeakSet<DataSource>();

function watchTransactions(dataSource: DataSource): void {
  if (watched.has(dataSource)) return;
  watched.add(dataSource);
  dataSource.subscribers.push(pendingRowsFlusher);
}
