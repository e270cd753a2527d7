import { traceToSink } from '../trace-to-sink';
import { type Implementation } from './implementation';
import { platformImplementation } from './platform.implementation';

/**
 * `platform` with tracing on, as a service runs with `OTEL_EXPORTER_OTLP_ENDPOINT` set: every
 * call a CLIENT span in the caller and a SERVER span in the responder, exported to the sink (see
 * `traceToSink`). The difference to `platform` is the cost of tracing.
 */
export const platformTracedImplementation: Implementation = {
  async startResponder(natsUrl: string) {
    await traceToSink('bench-responder');
    return (platformImplementation.startResponder as NonNullable<Implementation['startResponder']>)(
      natsUrl,
    );
  },
  async startCaller(natsUrl: string) {
    await traceToSink('bench-caller');
    return platformImplementation.startCaller(natsUrl);
  },
};
