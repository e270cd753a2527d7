import { type JsonSchema } from './json-schema';

/*
 * The NATS headers of each kind of message, as AsyncAPI header schemas. The names are the wire's
 * (platform-messaging's `WireHeaders` and `EventHeaders` write them; a test there checks both
 * agree): the contracts lib depends on nothing, so it spells them out here.
 */

const TRACEPARENT: JsonSchema = {
  type: 'string',
  pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
  description: 'W3C Trace Context of the sender (a new span id per message).',
};
const TRACESTATE: JsonSchema = {
  type: 'string',
  description: 'W3C Trace Context vendor entries, passed on untouched.',
};
const SOURCE: JsonSchema = {
  type: 'string',
  description: 'The sending service.',
};

/** Every RPC request. */
export const RPC_REQUEST_HEADERS: JsonSchema = {
  type: 'object',
  properties: {
    'Switchboard-Deadline': {
      type: 'string',
      pattern: '^[0-9]+$',
      description:
        'When the caller stops waiting: epoch milliseconds. A request picked up after it is answered DEADLINE_EXCEEDED without running the handler; absent, the server applies its default budget.',
    },
    traceparent: TRACEPARENT,
    tracestate: TRACESTATE,
    'Switchboard-Source': SOURCE,
  },
};

/** An RPC error reply (the NATS micro-services protocol's pair, and the stable code). */
export const RPC_ERROR_HEADERS: JsonSchema = {
  type: 'object',
  properties: {
    'Nats-Service-Error-Code': {
      type: 'string',
      pattern: '^[0-9]{3}$',
      description: 'HTTP-like status of the error kind (400, 404, 504…).',
    },
    'Nats-Service-Error': { type: 'string', description: 'The error message.' },
    'Switchboard-Error-Code': {
      type: 'string',
      description: 'The stable error code, as in the body (CHAT.NOT_A_MEMBER).',
    },
  },
  required: ['Nats-Service-Error-Code', 'Switchboard-Error-Code'],
};

/** Every event, as the outbox relay publishes it. */
export const EVENT_HEADERS: JsonSchema = {
  type: 'object',
  properties: {
    'Nats-Msg-Id': {
      type: 'string',
      description: "JetStream's de-duplication key: the outbox row's id.",
    },
    'Switchboard-Event-Id': {
      type: 'string',
      description:
        "The event's identity for consumers' inboxes; a replay from the DLQ keeps it under a new Nats-Msg-Id.",
    },
    traceparent: TRACEPARENT,
    tracestate: TRACESTATE,
    'Switchboard-Source': SOURCE,
  },
  required: ['Nats-Msg-Id', 'Switchboard-Event-Id'],
};
