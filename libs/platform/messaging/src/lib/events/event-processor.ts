import { type Logger } from '@nestjs/common';
import { type MessageHandler } from '@nestjs/microservices';
import { describeIssues, type EventContract } from '@switchboard/contracts';
import { type JsMsg } from 'nats';
import { type EntityManager } from 'typeorm';
import { runWithCallContext } from '../context/call-context';
import { newTraceContext, readTraceHeaders } from '../context/trace-context';
import { decodeJson } from '../nats/json-codec';
import { type Delivery, describe, eventIdOf } from './delivery';
import { EventContext } from './event-context';
import { type Route } from './event-route';
import {
  DATABASE_DOWN_RETRY_MS,
  databaseReachable,
  type FailurePolicy,
  PoisonMessage,
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
    private readonly log: Logger,
  ) {}

  async process(msg: JsMsg, route: Route): Promise<void> {
    let delivery: Delivery;
    try {
      delivery = { msg, eventId: eventIdOf(msg), payload: parse(msg, route.contract) };
    } catch (error) {
      await this.failures.fail(msg, route, error);
      return;
    }
    await this.processAlone(delivery, route);
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
    for (const msg of msgs) {
      try {
        deliveries.push({ msg, eventId: eventIdOf(msg), payload: parse(msg, route.contract) });
      } catch (error) {
        await this.failures.fail(msg, route, error); // a payload that breaks its contract goes alone
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
          if (fresh.has(delivery.eventId)) await this.handle(route, manager, delivery);
        }
      });
    } catch (error) {
      await this.retryAlone(deliveries, route, error);
      return;
    }
    for (const { msg } of deliveries) msg.ack();
  }

  /** One event, one transaction: BEGIN, inbox row, the handler's effects, COMMIT, then the ack. */
  private async processAlone(delivery: Delivery, route: Route): Promise<void> {
    const { msg, eventId } = delivery;
    try {
      await route.dataSource.transaction(async (manager) => {
        const fresh = await recordInInbox(manager, route.consumer, [
          { eventId, subject: msg.subject },
        ]);
        if (fresh.size > 0) await this.handle(route, manager, delivery);
      });
      msg.ack();
    } catch (error) {
      await this.failures.fail(msg, route, error);
    }
  }

  private async retryAlone(deliveries: Delivery[], route: Route, error: unknown): Promise<void> {
    if (!(await databaseReachable(route.dataSource))) {
      // What each event would get alone: not its fault, retry soon, not moved towards the DLQ.
      for (const { msg } of deliveries) msg.nak(DATABASE_DOWN_RETRY_MS);
      return;
    }
    this.log.debug(
      `${route.consumer}: a batch of ${deliveries.length} events rolled back (${describe(error)}); handling each alone`,
    );
    for (const delivery of deliveries) {
      // Shutting down: hand the rest back at once rather than start them now.
      if (this.isRunning()) await this.processAlone(delivery, route);
      else delivery.msg.nak();
    }
  }

  /** Runs the handler in the publisher's trace, with the transaction its effects join. */
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
    // The handler continues the publisher's trace: its logs and onward calls share the trace id.
    const trace = readTraceHeaders(msg.headers) ?? newTraceContext();
    await runWithCallContext({ trace }, () => this.invoke(route.handler, payload, context));
  }
}

/** The payload, checked against its contract; a `PoisonMessage` when it is not JSON or breaks it. */
function parse(msg: JsMsg, contract: EventContract): unknown {
  const decoded = decodeJson(msg.data);
  if (!decoded.ok) throw new PoisonMessage(`INVALID_PAYLOAD: not JSON: ${decoded.error}`);
  const parsed = contract.payload.safeParse(decoded.value);
  if (!parsed.success) {
    throw new PoisonMessage(`INVALID_PAYLOAD: ${JSON.stringify(describeIssues(parsed.error))}`);
  }
  return parsed.data;
}
