import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  newTraceContext,
  parseDeadline,
  runWithCallContext,
  traceContextFrom,
  WireHeaders,
} from '@switchboard/platform-messaging';
import { type FastifyInstance } from 'fastify';

const DEADLINE_HEADER = WireHeaders.DEADLINE.toLowerCase();

/**
 * Every HTTP request runs in a call context carrying its W3C trace: the caller's `traceparent`
 * when it sent a valid one, a new trace otherwise. Log lines print its trace id, and the RPC calls
 * and outbox events the request causes carry it on, so one id follows a request across services.
 * The response's `traceparent` header tells the client which trace to look for.
 *
 * A `Switchboard-Deadline` header (epoch milliseconds, as on RPC requests; the gateway sets it)
 * becomes the context's deadline: the RPCs the request makes wait at most until then, and forward it.
 */
export function useHttpTraceContext(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  fastify.addHook('onRequest', (request, reply, done) => {
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const trace =
      traceContextFrom(header('traceparent'), header('tracestate')) ?? newTraceContext();
    void reply.header('traceparent', trace.traceparent);
    // Continuing inside run() is what carries the context into the route handler's awaits.
    const deadline = parseDeadline(header(DEADLINE_HEADER) ?? '');
    runWithCallContext(deadline === undefined ? { trace } : { trace, deadline }, done);
  });
}
