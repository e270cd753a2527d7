import { type JsMsg } from 'nats';
import { EventHeaders } from '../jetstream/event-headers';

/** A delivered message with its event id and validated payload. */
export interface Delivery {
  msg: JsMsg;
  eventId: string;
  payload: unknown;
}

/** The event's identity for inboxes: our header, else JetStream's message id, else its position. */
export function eventIdOf(msg: JsMsg): string {
  return (
    msg.headers?.get(EventHeaders.EVENT_ID) ||
    msg.headers?.get('Nats-Msg-Id') ||
    `${msg.info.stream}:${msg.seq}`
  );
}

/** An error as logs and dead letters show it: `Name: message`. */
export function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
