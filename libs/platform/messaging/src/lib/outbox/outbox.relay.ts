import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { headers as natsHeaders, type JetStreamClient, type NatsConnection } from 'nats';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DataSource,
  type EntitySubscriberInterface,
  In,
  type TransactionCommitEvent,
} from 'typeorm';
import { NATS_CONNECTION } from '../nats-connection';
import { OutboxMessageEntity } from './outbox-message.entity';
import { OUTBOX_WRITTEN } from './outbox';
import { EventHeaders } from '../jetstream/event-headers';

const BATCH_SIZE = 200;
/** Without a nudge (another process wrote the row, or a nudge was missed) rows wait at most this. */
const IDLE_POLL_MS = 1_000;
const MAX_BACKOFF_MS = 5_000;

const encoder = new TextEncoder();

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
  private readonly js: JetStreamClient;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private nudged = false;
  /** Events published since boot, for tests and metrics. */
  published = 0;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(NATS_CONNECTION) connection: NatsConnection,
  ) {
    this.js = connection.jetstream();
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
    if (!event.queryRunner.data[OUTBOX_WRITTEN]) return;
    event.queryRunner.data[OUTBOX_WRITTEN] = false;
    this.nudge();
  }

  /** Ask the relay to look for rows now. */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
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
      await this.idle();
    }
  }

  private idle(): Promise<void> {
    if (this.nudged || !this.running) {
      this.nudged = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, IDLE_POLL_MS);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        this.nudged = false;
        done();
      };
    });
  }

  /** Publishes up to one batch in id order; returns how many rows it published. */
  async publishBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const query = manager
        .getRepository(OutboxMessageEntity)
        .createQueryBuilder('outbox')
        .orderBy('outbox.id', 'ASC')
        .limit(BATCH_SIZE);
      if (this.dataSource.options.type === 'postgres') {
        query.setLock('pessimistic_write').setOnLocked('skip_locked');
      }
      const rows = await query.getMany();
      if (rows.length === 0) return 0;
      // One connection keeps publish order; awaiting all PubAcks together keeps the pipe full.
      await Promise.all(
        rows.map((row) => {
          const headers = natsHeaders();
          for (const [key, value] of Object.entries(
            JSON.parse(row.headers) as Record<string, string>,
          )) {
            headers.set(key, value);
          }
          headers.set(EventHeaders.EVENT_ID, row.id);
          return this.js.publish(row.subject, encoder.encode(row.payload), {
            msgID: row.id,
            headers,
          });
        }),
      );
      await manager.delete(OutboxMessageEntity, { id: In(rows.map((row) => row.id)) });
      this.published += rows.length;
      return rows.length;
    });
  }
}
