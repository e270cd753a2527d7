import { type Logger } from '@nestjs/common';
import { isUniqueViolation, pingDatabase } from '@switchboard/platform-persistence';
import { type JetStreamClient, type JsMsg } from 'nats';
import { type DataSource } from 'typeorm';
import { publishDeadLetter } from '../dlq/dlq-writer';
import { describe, eventIdOf, PoisonMessage } from './delivery';
import { UnprocessableEvent } from './event-context';
import { type Route } from './event-route';
import { type TransportSettings } from './jetstream-transport.options';

/** Redelivery delay while the database is unreachable: short, so work resumes soon after it is back. */
export const DATABASE_DOWN_RETRY_MS = 2_000;

/** What became of a message whose handling failed, for its span and the metrics. */
export type Settlement =
  | { action: 'ack'; reason: 'duplicate' }
  | { action: 'nak'; reason: 'database-unreachable' | 'retry' | 'dlq-unavailable'; delayMs: number }
  | { action: 'term'; reason: 'dead-lettered' };

/**
 * What happens to a message whose handling failed:
 * - a unique violation (a concurrent delivery of the same event committed first): acked;
 * - the database unreachable: nak'd for a retry soon, the attempt not counted against the event;
 * - a `PoisonMessage`, an `UnprocessableEvent`, or the `maxDeliver`th attempt: published to the
 *   DLQ with what went wrong, then terminated (nak'd with the longest backoff if the DLQ refuses);
 * - anything else: nak'd with exponential backoff.
 */
export class FailurePolicy {
  constructor(
    private readonly js: JetStreamClient,
    private readonly settings: Pick<TransportSettings, 'maxDeliver' | 'backoffMs' | 'maxBackoffMs'>,
    private readonly log: Logger,
  ) {}

  async fail(msg: JsMsg, route: Route, error: unknown): Promise<Settlement> {
    const attempt = msg.info.redeliveryCount;
    if (isUniqueViolation(error)) {
      msg.ack(); // a concurrent delivery of the same event committed first
      return { action: 'ack', reason: 'duplicate' };
    }
    // A payload that breaks its contract, or a handler saying retries cannot help.
    const hopeless = error instanceof PoisonMessage || error instanceof UnprocessableEvent;
    if (!hopeless && !(await databaseReachable(route.dataSource))) {
      // Not the event's fault: retry soon, without moving it towards the DLQ.
      msg.nak(DATABASE_DOWN_RETRY_MS);
      return { action: 'nak', reason: 'database-unreachable', delayMs: DATABASE_DOWN_RETRY_MS };
    }
    if (hopeless || attempt >= this.settings.maxDeliver) {
      try {
        await this.deadLetter(msg, route, error);
        // A plain +TERM: servers before 2.10 ignore a term that carries a reason and redeliver.
        msg.term();
        return { action: 'term', reason: 'dead-lettered' };
      } catch (dlqError) {
        this.log.error(
          `Could not dead-letter ${route.consumer} seq ${msg.seq}: ${String(dlqError)}`,
        );
        msg.nak(this.settings.maxBackoffMs);
        return { action: 'nak', reason: 'dlq-unavailable', delayMs: this.settings.maxBackoffMs };
      }
    }
    const delay = Math.min(
      this.settings.maxBackoffMs,
      this.settings.backoffMs * 2 ** (attempt - 1),
    );
    this.log.warn(
      `${route.consumer}: event ${eventIdOf(msg)} failed (attempt ${attempt}/${this.settings.maxDeliver}), retrying in ${delay} ms: ${describe(error)}`,
    );
    msg.nak(delay);
    return { action: 'nak', reason: 'retry', delayMs: delay };
  }

  private async deadLetter(msg: JsMsg, route: Route, error: unknown): Promise<void> {
    const eventId = eventIdOf(msg);
    const reason = describe(error);
    await publishDeadLetter(this.js, msg, { eventId, consumer: route.consumer, reason });
    this.log.error(
      `${route.consumer}: event ${eventId} (stream ${msg.info.stream} seq ${msg.info.streamSequence}) sent to the DLQ after ${msg.info.redeliveryCount} attempt(s): ${reason}`,
    );
  }
}

/** Whether the route's database answers now: tells its outage from the event's own failure. */
export function databaseReachable(dataSource: DataSource): Promise<boolean> {
  return pingDatabase(dataSource, 1_000).then(
    () => true,
    () => false,
  );
}
