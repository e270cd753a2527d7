import { type INestApplication } from '@nestjs/common';

/**
 * Initialises a Nest app built on the Fastify adapter for supertest: Fastify must finish loading its
 * plugins (`ready()`) before its server answers requests that did not go through `listen()`.
 */
export async function readyForRequests<App extends INestApplication>(app: App): Promise<App> {
  await app.init();
  const instance = app.getHttpAdapter().getInstance() as { ready?: () => Promise<unknown> };
  await instance.ready?.();
  return app;
}
