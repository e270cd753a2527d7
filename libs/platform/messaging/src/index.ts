export { MessagingModule } from './lib/messaging.module';
export { type MessagingOptions, MESSAGING_OPTIONS } from './lib/messaging.options';
export { connectNats, isNatsUsable, NATS_CONNECTION } from './lib/nats-connection';
export { NatsTransport, NATS_TRANSPORT, type NatsTransportOptions } from './lib/nats.transport';
export {
  CONTRACT_EXTRA,
  EventHandler,
  type EventHandlerOptions,
  RpcHandler,
} from './lib/handler.decorators';
export { RpcClient, type CallOptions } from './lib/rpc.client';
export { NatsHealth } from './lib/nats.health';
export { WireHeaders } from './lib/wire-headers';
export { classifyError } from './lib/error-envelope';
export { decodeJson, encodeJson } from './lib/json-codec';
export { EventContext, UnprocessableEvent } from './lib/jetstream/event-context';
export { EventHeaders } from './lib/jetstream/event-headers';
export { EventConsumersHealth } from './lib/jetstream/event-consumers.health';
export {
  consumerName,
  JetStreamTransport,
  type EventDomain,
  type JetStreamTransportOptions,
} from './lib/jetstream/jetstream.transport';
export {
  DLQ_STREAM,
  DLQ_SUBJECT_PREFIX,
  ensureStreams,
  streamDefinitions,
  streamOf,
  StreamsNotProvisioned,
  streamsUsedBy,
  verifyStreams,
} from './lib/jetstream/streams';
export {
  isJetStreamApiError,
  JetStreamApiError,
  type JetStreamApiErrorCode,
} from './lib/jetstream/api-errors';
export { JETSTREAM_TRANSPORT } from './lib/jetstream/transport-ids';
export { Outbox, type OutboxAddOptions } from './lib/outbox/outbox';
export { OutboxRelay } from './lib/outbox/outbox.relay';
export { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS, OutboxModule } from './lib/outbox/outbox.module';
export {
  currentCallContext,
  currentDeadline,
  currentTraceId,
  currentTraceparent,
  outgoingTraceContext,
  remainingBudgetMs,
  runWithCallContext,
  type CallContext,
} from './lib/call-context';
export { DEFAULT_RPC_TIMEOUT_MS, deadlineExceeded, parseDeadline } from './lib/deadline';
export {
  childTraceContext,
  isValidTraceparent,
  newTraceContext,
  parentIdOf,
  readTraceHeaders,
  traceContextFrom,
  traceIdOf,
  writeTraceHeaders,
  type TraceContext,
} from './lib/trace-context';
export {
  DEFAULT_LIST_LIMIT,
  DeadLetterError,
  type DeadLetterErrorCode,
  type DeadLetter,
  type DeadLetterEntry,
  type DeadLetterFilter,
  DeadLetters,
  type ListDeadLettersOptions,
  MAX_LIST_LIMIT,
  type ReplayResult,
} from './lib/dlq/dead-letters';
