import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyInstance } from 'fastify';
import { type ServiceLifecycle } from '../health/service-lifecycle';

/**
 * Once shutdown has begun, every response says `Connection: close`, so the client's keep-alive
 * connection ends with it. Closing the server only closes the connections that are idle at that
 * moment: one whose request was still running would otherwise stay open after its response for as
 * long as the client keeps it (undici and load balancers keep them for over a minute, following
 * Fastify's 72 s keep-alive), holding `app.close()` past the shutdown deadline — exit 1 instead of 0.
 */
export function useConnectionCloseOnShutdown(
  app: NestFastifyApplication,
  lifecycle: ServiceLifecycle,
): void {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (lifecycle.isShuttingDown) void reply.header('connection', 'close');
    done(null, payload);
  });
}

/** Every response names the release that answered it (`SERVICE_RELEASE`), when one is set. */
export function useReleaseHeader(app: NestFastifyApplication, release: string | undefined): void {
  if (release === undefined) return;
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    void reply.header('x-service-release', release);
    done(null, payload);
  });
}
