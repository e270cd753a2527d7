import { type Logger } from '@nestjs/common';
import { type MessageHandler } from '@nestjs/microservices';
import { type JsMsg } from 'nats';
import { type EntityManager } from 'typeorm';
import { runWithCallContext } from '../context/call-context';
import { type Delivery, describe, eventIdOf, parsePayload } from './delivery';
import { type DeliveryTelemetry, type Processing } from './delivery-telemetry';
import { EventContext } from './event-context';
import { type Route } from './event-route';
import {
  DATABASE_DOWN_RETRY_MS,
  databaseReachable,
  type FailurePolicy,
  type Settlement,
} from './failure-policy';
import { recordInInbox } from './inbox';

/** Calls a Nest handler and waits for its result (Nest may answer with an Observable). */
export type InvokeHandler = (
  handler: MessageHandler,
  payload: unknown,
  context: EventContext,
) => Promise<unknown>;

/**
 * Handles delivered events in database transactions with their inbox rows, and acks each only
 * after its commit; a failure goes to the `FailurePolicy`.
 */
export class EventProcessor {
  constructor(
    private readonly failures: FailurePolicy,
    private readonly invoke: InvokeHandler,
    /** False once the transport is closing: retries are handed back instead of started. */
    private readonly isRunning: () => boolean,
    private readonly telemetry: DeliveryTelemetry,
    private readonly log: Logger,
  ) {}

  async process(msg: JsMsg, route: Route): Promise<void> {
    const eventId = eventIdOf(msg);
    const work = this.telemetry.start(msg, eventId, route);
    let delivery: Delivery;
    try {
      delivery = { msg, eventId, payload: parsePayload(msg, route.contract) };
    } catch (error) {
      await this.failed(msg, route, error, work);
      return;
    }
    await this.processAlone(delivery, route, work);
  }

  /**
   * Several events of a batched handler in one transaction: one statement inserts their inbox rows
   * and tells which are new, the handler runs for each new one, one COMMIT, then every message is
   * acked (a duplicate too: it had its effect before, or has it in this very transaction). If
   * anything fails the whole batch rolls back, and each event is handled again alone
   * ({@link processAlone}), so a failing event is retried and dead-lettered on its own while the
   * others commit.
   */
  async processBatch(msgs: JsMsg[], route: Route): Promise<void> {
    if (msgs.length === 1) return this.process(msgs[0] as JsMsg, route);
    const deliveries: Delivery[] = [];
    const works = new Map<Delivery, Processing>();
    for (const msg of msgs) {
      const eventId = eventIdOf(msg);
      const work = this.telemetry.start(msg, eventId, route);
      try {
        const delivery = { msg, eventId, payload: parsePayload(msg, route.contract) };
        deliveries.push(delivery);
        works.set(delivery, work);
      } catch (error) {
        await this.failed(msg, route, error, work); // a payload that breaks its contract goes alone
      }
    }
    if (deliveries.length === 0) return;
    try {
      await route.dataSource.transaction(async (manager) => {
        // The same event delivered twice in one batch (published again with a new Nats-Msg-Id)
        // has one inbox row and one effect.
        const firsts = new Map<string, Delivery>();
        for (const delivery of deliveries) {
          if (!firsts.has(delivery.eventId)) firsts.set(delivery.eventId, delivery);
        }
        const fresh = await recordInInbox(
          manager,
          route.consumer,
          [...firsts.values()].map(({ msg, eventId }) => ({ eventId, subject: msg.subject })),
        );
        for (const delivery of firsts.values()) {
          if (!fresh.has(delivery.eventId)) continue;
          const { trace, span } = works.get(delivery) as Processing;
          await runWithCallContext({ trace, span }, () => this.handle(route, manager, delivery));
        }
      });
    } catch (error) {
      await this.retryAlone(deliveries, route, error, works);
      return;
    }
    for (const delivery of deliveries) {
      delivery.msg.ack();
      this.telemetry.acked(works.get(delivery) as Processing, route);
    }
  }

  /** One event, one transaction: BEGIN, inbox row, the handler's effects, COMMIT, then the ack. */
  private processAlone(delivery: Delivery, route: Route, work: Processing): Promise<void> {
    const { msg, eventId } = delivery;
    // The whole unit in the event's context: the transaction's statements belong to its span too.
    return runWithCallContext({ trace: work.trace, span: work.span }, async () => {
      try {
        await route.dataSource.transaction(async (manager) => {
          const fresh = await recordInInbox(manager, route.consumer, [
            { eventId, subject: msg.subject },
          ]);
          if (fresh.size > 0) await this.handle(route, manager, delivery);
        });
        msg.ack();
        this.telemetry.acked(work, route);
      } catch (error) {
        await this.failed(msg, route, error, work);
      }
    });
  }

  /** Hands the failure to the policy and records what became of the message on its span. */
  private async failed(msg: JsMsg, route: Route, error: unknown, work: Processing): Promise<void> {
    const settlement = await this.failures.fail(msg, route, error);
    this.telemetry.settled(work, route, settlement, error);
  }

  private async retryAlone(
    deliveries: Delivery[],
    route: Route,
    error: unknown,
    works: Map<Delivery, Processing>,
  ): Promise<void> {
    if (!(await databaseReachable(route.dataSource))) {
      // What each event would get alone: not its fault, retry soon, not moved towards the DLQ.
      for (const delivery of deliveries) {
        delivery.msg.nak(DATABASE_DOWN_RETRY_MS);
        const settlement: Settlement = {
          action: 'nak',
          reason: 'database-unreachable',
          delayMs: DATABASE_DOWN_RETRY_MS,
        };
        this.telemetry.settled(works.get(delivery) as Processing, route, settlement, error);
      }
      return;
    }
    this.log.debug(
      `${route.consumer}: a batch of ${deliveries.length} events rolled back (${describe(error)}); handling each alone`,
    );
    for (const delivery of deliveries) {
      const work = works.get(delivery) as Processing;
      // Shutting down: hand the rest back at once rather than start them now.
      if (this.isRunning()) {
        await this.processAlone(delivery, route, work);
      } else {
        delivery.msg.nak();
        this.telemetry.handedBack(work, route);
      }
    }
  }

  /** Runs the handler with the transaction its effects join (in the event's call context). */
  private async handle(
    route: Route,
    manager: EntityManager,
    { msg, eventId, payload }: Delivery,
  ): Promise<void> {
    const context = new EventContext(
      manager,
      eventId,
      msg.info.redeliveryCount,
      msg.subject,
      route.consumer,
    );
    await this.invoke(route.handler, payload, context);
  }
}
