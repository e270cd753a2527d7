import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceLifecycle } from '../health/service-lifecycle';
import { useConnectionCloseOnShutdown } from './connection-close.hook';

/** Resolved by the handler once a request is running: the test starts shutdown only then. */
let markStarted: () => void = () => undefined;

@Controller()
class SlowController {
  @Get('slow')
  async slow(): Promise<{ ok: boolean }> {
    markStarted();
    await sleep(300);
    return { ok: true };
  }
}

@Module({ controllers: [SlowController] })
class SlowModule {}

/** A Nest app on Fastify as services build it, with or without the hook. */
async function startApp(withHook: boolean) {
  const app = await NestFactory.create<NestFastifyApplication>(
    SlowModule,
    new FastifyAdapter({ return503OnClosing: true }),
    { logger: false },
  );
  const lifecycle = new ServiceLifecycle();
  if (withHook) useConnectionCloseOnShutdown(app, lifecycle);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, lifecycle, url: await app.getUrl() };
}

/** Shutdown while a request runs: does the server finish closing once that request is answered? */
async function shutdownDuringRequest(withHook: boolean) {
  const { app, lifecycle, url } = await startApp(withHook);
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const response = fetch(`${url}/slow`).then(async (reply) => {
    await reply.text();
    return reply;
  });
  await started; // the request is now running
  lifecycle.beginShutdown();
  const closed = app.close().then(() => 'closed' as const);
  const reply = await response;
  // The request ends about 300 ms after close() began; give the server well over that to finish.
  const outcome = await Promise.race([closed, sleep(3_000).then(() => 'still open' as const)]);
  return {
    app,
    closed,
    outcome,
    status: reply.status,
    connection: reply.headers.get('connection'),
  };
}

describe('Connection: close once shutdown has begun', () => {
  it('lets the server close right after answering the request that was running', async () => {
    const result = await shutdownDuringRequest(true);
    expect({
      status: result.status,
      connection: result.connection,
      outcome: result.outcome,
    }).toEqual({ status: 200, connection: 'close', outcome: 'closed' });
  });

  it('without it, the answered connection stays open and holds the server (the bug it fixes)', async () => {
    const result = await shutdownDuringRequest(false);
    expect({ connection: result.connection, outcome: result.outcome }).toEqual({
      connection: 'keep-alive',
      outcome: 'still open',
    });
    // Release it: closing every connection ends the pending close().
    result.app.getHttpServer().closeAllConnections();
    await result.closed;
  });

  it('leaves responses alone while the service runs', async () => {
    const { app, url } = await startApp(true);
    const reply = await fetch(`${url}/slow`);
    await reply.text();
    expect(reply.headers.get('connection')).toBe('keep-alive');
    app.getHttpServer().closeAllConnections();
    await app.close();
  });
});
