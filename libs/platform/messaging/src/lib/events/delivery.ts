import { describeIssues, type EventContract } from '@switchboard/contracts';
import { type JsMsg } from 'nats';
import { EventHeaders } from '../jetstream/event-headers';
import { decodeJson } from '../nats/json-codec';

/** A payload that breaks its contract: no retry can help. */
export class PoisonMessage extends Error {
  override readonly name = 'PoisonMessage';
}

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

/** The payload, checked against its contract; a `PoisonMessage` when it is not JSON or breaks it. */
export function parsePayload(msg: JsMsg, contract: EventContract): unknown {
  const decoded = decodeJson(msg.data);
  if (!decoded.ok) throw new PoisonMessage(`INVALID_PAYLOAD: not JSON: ${decoded.error}`);
  const parsed = contract.payload.safeParse(decoded.value);
  if (!parsed.success) {
    throw new PoisonMessage(`INVALID_PAYLOAD: ${JSON.stringify(describeIssues(parsed.error))}`);
  }
  return parsed.data;
}
