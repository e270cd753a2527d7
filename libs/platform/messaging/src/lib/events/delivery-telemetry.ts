import { type JsMsg } from 'nats';
import { failSpan, startProcessSpan, type TracedWork } from '../context/spans';
import { type MessagingMetrics, secondsSince } from '../metrics/messaging-metrics';
import { type Route } from './event-route';
import { type Settlement } from './failure-policy';

/** One delivery being handled: its `process` span (while tracing is on) and when it started. */
export interface Processing extends TracedWork {
  readonly started: number;
}

/**
 * What is recorded of each delivery: its `process` span, ended with an event saying what became
 * of the message, and `events_process_duration_seconds{consumer, outcome}` (outcome `ack`,
 * `duplicate`, `retry`, `database-unreachable`, `dlq-unavailable`, `dead-lettered`,
 * `handed-back`); a redelivery also counts in `events_redeliveries_total`.
 */
export class DeliveryTelemetry {
  constructor(private readonly metrics: MessagingMetrics) {}

  /**
   * Starts the delivery's `process` span, a child of the context the message carries (the relay's
   * `send` span while tracing is on). The handler continues the publisher's trace either way: its
   * logs and onward calls share the trace id.
   */
  start(msg: JsMsg, eventId: string, route: Route): Processing {
    const attempt = msg.info.redeliveryCount;
    if (attempt > 1) this.metrics.redeliveries.inc({ consumer: route.consumer });
    const work = startProcessSpan(msg, {
      'messaging.consumer.group.name': route.consumer,
      'messaging.message.id': eventId,
      'switchboard.attempt': attempt,
    });
    return { ...work, started: performance.now() };
  }

  acked(processing: Processing, route: Route): void {
    processing.span?.addEvent('ack');
    this.end(processing, route, 'ack');
  }

  /** A failed delivery: retried, dead-lettered, or acked as a duplicate. */
  settled(processing: Processing, route: Route, settlement: Settlement, error: unknown): void {
    const { span } = processing;
    span?.addEvent(settlement.action, {
      'switchboard.reason': settlement.reason,
      ...(settlement.action === 'nak' ? { 'switchboard.delay_ms': settlement.delayMs } : {}),
    });
    if (settlement.action !== 'ack') failSpan(span, error);
    this.end(processing, route, settlement.reason);
  }

  /** Given back unhandled because the transport is closing. */
  handedBack(processing: Processing, route: Route): void {
    processing.span?.addEvent('nak', { 'switchboard.reason': 'shutdown' });
    this.end(processing, route, 'handed-back');
  }

  private end(processing: Processing, route: Route, outcome: string): void {
    processing.span?.end();
    this.metrics.eventsProcessed.observe(
      { consumer: route.consumer, outcome },
      secondsSince(processing.started),
    );
  }
}
