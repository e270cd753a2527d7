import fastifyStatic from '@fastify/static';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AppError } from '@switchboard/contracts';
import { SERVICE_CONFIG, type ServiceConfig } from '@switchboard/platform-runtime';
import { type FastifyInstance, type FastifyReply } from 'fastify';
import { existsSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { type GatewayConfig } from '../gateway.config';

/** The code of `/` when the gateway has no built client to serve. */
export const WEB_CLIENT_NOT_BUILT = 'GATEWAY.WEB_CLIENT_NOT_BUILT';

/** Vite writes content-hashed names under `assets/`: such a file never changes. */
const HASHED_ASSETS = `${sep}assets${sep}`;

/** Where the client is when `GATEWAY_WEB_ROOT` is unset: `web/` beside the running main.js. */
export function defaultWebRoot(): string {
  return join(__dirname, 'web');
}

/**
 * Serves the demo web client (`nx build web`, copied into the gateway's build as `web/`) at `/`,
 * from the same origin as `/api` and `/ws`, so it needs no CORS and no configuration.
 *
 * Registered on Fastify directly, like the proxy: a wildcard route `/*` that Fastify's router
 * consults only when no more specific route (`/api/…`, `/ws`, `/health/…`) matches; a path that is
 * not a file falls through to the usual 404 envelope. Without an `index.html` the gateway still
 * starts — it is an API first — and `/` says how to build the client.
 */
@Injectable()
export class WebClient implements OnModuleInit {
  private readonly log = new Logger('WebClient');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig<typeof GatewayConfig.shape>,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const root = resolve(this.config.GATEWAY_WEB_ROOT ?? defaultWebRoot());
    if (!existsSync(join(root, 'index.html'))) {
      this.log.warn(
        `No web client in ${root} (no index.html): / answers 404 ${WEB_CLIENT_NOT_BUILT}. ` +
          '`nx build gateway` builds it in; GATEWAY_WEB_ROOT points elsewhere.',
      );
      const envelope = JSON.stringify(notBuilt().toEnvelope());
      fastify.get('/', (_request, reply: FastifyReply) =>
        reply.code(404).header('content-type', 'application/json; charset=utf-8').send(envelope),
      );
      return;
    }
    void fastify.register(fastifyStatic, {
      root,
      prefix: '/',
      index: 'index.html',
      dotfiles: 'ignore',
      // Set below: a stale index.html would point at assets a newer build no longer has.
      cacheControl: false,
      setHeaders: (reply, path) => {
        void reply.header(
          'cache-control',
          path.includes(HASHED_ASSETS) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
        void reply.header('x-content-type-options', 'nosniff');
      },
    });
    this.log.log(`Serving the web client from ${root} at /`);
  }
}

function notBuilt(): AppError {
  return new AppError(
    WEB_CLIENT_NOT_BUILT,
    'not_found',
    'This gateway has no web client to serve: `nx build gateway` builds it in, or set ' +
      'GATEWAY_WEB_ROOT to a folder with its index.html. The API is at /api/<service>/<path>.',
  );
}
