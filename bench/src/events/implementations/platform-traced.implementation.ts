import { traceToSink } from '../../trace-to-sink';
import { type EventsImplementation } from './implementation';
import { platformEventsImplementation } from './platform.implementation';

/**
 * `platform` with tracing on, as two services run with `OTEL_EXPORTER_OTLP_ENDPOINT` set: per
 * event a `create` span in the producer's transaction and the relay's `send`, the consumer's
 * `process` with its ack event, and the Postgres statements under them, exported to the sink (see
 * `traceToSink`). The difference to `platform` is the cost of tracing.
 */
export const platformTracedEventsImplementation: EventsImplementation = {
  async startProducer(settings) {
    await traceToSink('bench-producer');
    return platformEventsImplementation.startProducer(settings);
  },
  async startConsumer(settings) {
    await traceToSink('bench-consumer');
    return platformEventsImplementation.startConsumer(settings);
  },
};
