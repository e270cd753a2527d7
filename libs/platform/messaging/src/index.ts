/**
 * What other projects import from the messaging lib, by concern (the folders under lib/):
 * nats/ (connection, wire headers), context/ (call, trace, deadline), rpc/, events/ (the JetStream
 * consumer side), outbox/, dlq/, storage/ (the outbox and inbox tables), jetstream/ (streams).
 * Anything else is internal: add a name here when another project needs it.
 */

// Nest wiring and handler declarations
export { MessagingModule } from './lib/messaging.module';
export { CONTRACT_EXTRA, EventHandler, RpcHandler } from './lib/handler.decorators';

// NATS connection and wire
export { connectNats, NATS_CONNECTION } from './lib/nats/nats-connection';
export { NatsHealth } from './lib/nats/nats.health';
export { WireHeaders } from './lib/nats/wire-headers';
export { decodeJson, encodeJson } from './lib/nats/json-codec';

// Call context and tracing: deadline, trace and span of the work being done
export {
  CallContextManager,
  currentDeadline,
  currentSpan,
  currentSpanId,
  currentTraceId,
  outgoingTraceContext,
  remainingBudgetMs,
  runWithCallContext,
  startOutgoingSpan,
} from './lib/context/call-context';
export {
  failSpan,
  messagingAttributes,
  startProcessSpan,
  startSpan,
  TRACER_NAME,
} from './lib/context/spans';
export { deadlineExceeded, parseDeadline } from './lib/context/deadline';
export { newTraceContext, traceContextFrom } from './lib/context/trace-context';

// RPC
export { RpcClient } from './lib/rpc/rpc.client';
export { NatsTransport } from './lib/rpc/nats.transport';

// Events: JetStream consumers, outbox, tables
export { JetStreamTransport } from './lib/events/jetstream.transport';
export { consumerName } from './lib/events/event-route';
export { EventContext, UnprocessableEvent } from './lib/events/event-context';
export { EventConsumersHealth } from './lib/events/event-consumers.health';
export { Outbox } from './lib/outbox/outbox';
export { OutboxRelay } from './lib/outbox/outbox.relay';
export { OutboxModule } from './lib/outbox/outbox.module';
export { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from './lib/storage/messaging-tables';

// JetStream streams and headers
export { EventHeaders } from './lib/jetstream/event-headers';
export {
  DLQ_STREAM,
  DLQ_SUBJECT_PREFIX,
  ensureStreams,
  streamDefinitions,
  streamOf,
  StreamsNotProvisioned,
} from './lib/jetstream/streams';
export { isJetStreamApiError, JetStreamApiError } from './lib/jetstream/api-errors';

// Metrics (Prometheus): the registry token, and what the runtime adds to it
export {
  DURATION_BUCKETS,
  messagingMetricsOf,
  METRICS_REGISTRY,
} from './lib/metrics/messaging-metrics';
export { watchOutbox } from './lib/outbox/outbox-metrics';

// Dead letters
export { DeadLetters } from './lib/dlq/dead-letters';
export {
  DEFAULT_LIST_LIMIT,
  type DeadLetterEntry,
  DeadLetterError,
  type DeadLetterFilter,
  MAX_LIST_LIMIT,
} from './lib/dlq/dead-letter';
