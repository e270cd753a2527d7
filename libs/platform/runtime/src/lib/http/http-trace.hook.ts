import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  newTraceContext,
  runWithCallContext,
  traceContextFrom,
} from '@switchboard/platform-messaging';
import { type FastifyInstance } from 'fastify';

/**
 * Every HTTP request runs in a call context carrying its W3C trace: the caller's `traceparent`
 * when it sent a valid one, a new trace otherwise. Log lines print its trace id, and the RPC calls
 * and outbox events the request causes carry it on, so one id follows a request across services.
 * The response's `traceparent` header tells the client which trace to look for.
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
    runWithCallContext({ trace }, done);
  });
}
