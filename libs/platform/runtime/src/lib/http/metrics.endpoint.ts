import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DURATION_BUCKETS } from '@switchboard/platform-messaging';
import { type FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Histogram, type Registry } from 'prom-client';
import { isInternalPath, pathOf } from './internal-paths';

/**
 * `GET /metrics`: the service's Prometheus metrics — `http_server_duration_seconds{method, route,
 * status}` (RED per route: its count is the rate, `status` the errors, the buckets the duration),
 * the messaging metrics platform-messaging records in the same registry (`rpc_*`, `events_*`,
 * `outbox_*`, `dlq_events`, `nats_reconnects_total`), and Node's own (`process_*`, `nodejs_*`,
 * event-loop delay included).
 *
 * Registered on Fastify, not as a Nest controller: no guard, no OpenAPI entry, no domain route.
 * It is for the platform's scraper only: the gateway refuses `/api/<service>/metrics`, and
 * deployments keep the service port off the internet.
 */
export function useMetricsEndpoint(app: NestFastifyApplication, registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_server_duration_seconds',
    help: 'HTTP requests answered, by method, route template and status code',
    labelNames: ['method', 'route', 'status'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  fastify.addHook('onResponse', (request, reply, done) => {
    // Probes and scrapes are left out: they would drown the traffic.
    if (!isInternalPath(pathOf(request.url))) {
      duration.observe(
        {
          method: request.method,
          // The template, never the path: ids in paths would make a series per resource.
          route: request.routeOptions.url ?? 'unmatched',
          status: String(reply.statusCode),
        },
        reply.elapsedTime / 1_000,
      );
    }
    done();
  });
  fastify.get('/metrics', async (_request, reply) => {
    const text = await registry.metrics();
    return reply.header('content-type', registry.contentType).send(text);
  });
}
