import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  newTraceContext,
  parseDeadline,
  runWithCallContext,
  startSpan,
  traceContextFrom,
  WireHeaders,
} from '@switchboard/platform-messaging';
import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { isInternalPath, pathOf } from './internal-paths';

const DEADLINE_HEADER = WireHeaders.DEADLINE.toLowerCase();

const spans = new WeakMap<FastifyRequest, Span>();

/**
 * Every HTTP request runs in a call context carrying its W3C trace: the caller's `traceparent`
 * when it sent a valid one, a new trace otherwise. Log lines print its trace id, and the RPC calls
 * and outbox events the request causes carry it on, so one id follows a request across services.
 * The response's `traceparent` header tells the client which trace to look for.
 *
 * While tracing is on (`startTelemetry`), the request is a `SERVER` span named after its route
 * (`POST /conversations/:id/messages`), a child of the caller's context, ended with the response's
 * status; a 5xx marks it failed (the error filter adds the error id).
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
    const received = traceContextFrom(header('traceparent'), header('tracestate'));
    const path = pathOf(request.url);
    // Probes and scrapes are not worth a span each.
    const traced = !isInternalPath(path);
    const route = request.routeOptions.url;
    const { span, trace } = traced
      ? startSpan(
          route === undefined ? request.method : `${request.method} ${route}`,
          {
            kind: SpanKind.SERVER,
            parent: received,
            attributes: {
              'http.request.method': request.method,
              'url.path': path,
              ...(route === undefined ? {} : { 'http.route': route }),
            },
          },
          () => received ?? newTraceContext(),
        )
      : { span: undefined, trace: received ?? newTraceContext() };
    if (span) spans.set(request, span);
    void reply.header('traceparent', trace.traceparent);
    // Continuing inside run() is what carries the context into the route handler's awaits.
    const deadline = parseDeadline(header(DEADLINE_HEADER) ?? '');
    runWithCallContext(deadline === undefined ? { trace, span } : { trace, span, deadline }, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    if (span?.isRecording()) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    const span = spans.get(request);
    if (span?.isRecording()) {
      span.addEvent('aborted by the client');
      span.end();
    }
    done();
  });
}
