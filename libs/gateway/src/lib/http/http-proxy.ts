import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AppError, CommonErrorCodes, ERROR_KIND_STATUS, Gateway } from '@switchboard/contracts';
import { type AuthenticatedUser, JwtVerifier } from '@switchboard/platform-auth';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  currentSpan,
  deadlineExceeded,
  failSpan,
  parseDeadline,
  startOutgoingSpan,
  WireHeaders,
} from '@switchboard/platform-messaging';
import {
  isInternalPath,
  pathOf,
  SERVICE_CONFIG,
  type ServiceConfig,
} from '@switchboard/platform-runtime';
import cors from '@fastify/cors';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { type IncomingHttpHeaders } from 'node:http';
import { type Dispatcher } from 'undici';
import { type GatewayConfig } from '../gateway.config';
import { GatewayErrors } from '../gateway.errors';
import { RateLimiter } from './rate-limiter';
import { type Upstream, UpstreamRegistry } from './upstreams';

/** Methods a retry cannot turn into a second effect (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/** Connection-level headers: they describe one hop, never the request (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);
/** Errors that mean the request never reached a service: another replica may take it. */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
const TIMEOUTS = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const MAX_ATTEMPTS = 3;

/**
 * `/api/<service>/<path>` → that service's own `<path>`: the JWT verified here first (and again
 * by the service), rate limits per user and per address, the caller's deadline forwarded as
 * `Switchboard-Deadline`, request id and trace context passed on (each attempt a CLIENT span
 * while tracing is on), bodies streamed both ways.
 * Idempotent requests that could not connect are retried on the next replica; a service that is
 * down answers 503 `UNAVAILABLE`, one slower than the deadline 504 `DEADLINE_EXCEEDED`.
 *
 * Registered on Fastify directly, not as a Nest controller: a proxy must not parse bodies.
 */
@Injectable()
export class HttpProxy implements OnModuleInit {
  private readonly log = new Logger('HttpProxy');
  private readonly perUser: RateLimiter;
  private readonly perAddress: RateLimiter;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly upstreams: UpstreamRegistry,
    private readonly verifier: JwtVerifier,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig<typeof GatewayConfig.shape>,
  ) {
    this.perUser = new RateLimiter(config.GATEWAY_RATE_LIMIT_PER_USER);
    this.perAddress = new RateLimiter(config.GATEWAY_RATE_LIMIT_PER_IP);
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const origins = this.config.GATEWAY_CORS_ORIGINS;
    if (origins.length > 0) {
      void fastify.register(cors, {
        origin: origins.includes('*') ? true : origins,
        exposedHeaders: ['x-request-id', 'retry-after', 'traceparent'],
        maxAge: 600,
      });
    }
    void fastify.register(async (scope) => {
      // Leave every body unread: it is piped to the service as it arrives.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
      const handler = (request: FastifyRequest, reply: FastifyReply) =>
        this.forward(request, reply);
      scope.all('/api/:service', handler);
      scope.all('/api/:service/*', handler);
    });
  }

  private async forward(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const { service } = request.params as { service: string };
    const path = request.url.slice(`/api/${service}`.length) || '/';
    const requestId = requestIdOf(request);
    void reply.header('x-request-id', requestId);
    try {
      const route = pathOf(path);
      if (!this.upstreams.has(service)) throw GatewayErrors.unknownService(service);
      // Probes and metrics stay inside the platform.
      if (isInternalPath(route)) throw GatewayErrors.notRouted(route);
      // The OpenAPI documents are public in every service; everything else needs a user.
      const user = route.startsWith('/docs') ? undefined : await this.authenticate(request);
      this.limit(request, reply, user);
      const deadline = this.deadlineOf(request);
      const response = await this.send(request, service, path, deadline, requestId);
      this.upstreams.record(service, response.statusCode);
      void reply.code(response.statusCode);
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) void reply.header(name, value);
      }
      void reply.header('x-request-id', requestId);
      await reply.send(response.body);
    } catch (error) {
      const failure = error instanceof AppError ? error : this.unexpected(error);
      const status = error instanceof RateRefusal ? 429 : ERROR_KIND_STATUS[failure.kind];
      const errorId = (failure.details as { errorId?: unknown } | undefined)?.errorId;
      failSpan(currentSpan(), failure, {
        errorId: typeof errorId === 'string' ? errorId : undefined,
        fault: status >= 500,
      });
      if (status >= 500 && this.upstreams.has(service)) this.upstreams.record(service, status);
      await reply
        .code(status)
        .header('content-type', 'application/json; charset=utf-8')
        .send(JSON.stringify(failure.toEnvelope()));
    }
  }

  private async authenticate(request: FastifyRequest): Promise<AuthenticatedUser> {
    return this.verifier.verifyAuthorizationHeader(request.headers['authorization']);
  }

  private limit(request: FastifyRequest, reply: FastifyReply, user?: AuthenticatedUser): void {
    const checks: [RateLimiter, string, 'user' | 'address'][] = [
      [this.perAddress, request.ip, 'address'],
      ...(user ? [[this.perUser, user.id, 'user'] as [RateLimiter, string, 'user']] : []),
    ];
    for (const [limiter, key, scope] of checks) {
      const verdict = limiter.take(key);
      if (!verdict.allowed) {
        void reply.header('retry-after', String(verdict.retryAfterSeconds));
        throw new RateRefusal(GatewayErrors.rateLimited(verdict.retryAfterSeconds, scope));
      }
    }
  }

  /** The earlier of the caller's `Switchboard-Deadline` and the gateway's own time-out. */
  private deadlineOf(request: FastifyRequest): number {
    const own = Date.now() + this.config.GATEWAY_UPSTREAM_TIMEOUT_MS;
    const given = request.headers[WireHeaders.DEADLINE.toLowerCase()];
    if (given === undefined) return own;
    const parsed = typeof given === 'string' ? parseDeadline(given) : undefined;
    if (parsed === undefined) throw GatewayErrors.invalidDeadline();
    return Math.min(parsed, own);
  }

  private async send(
    request: FastifyRequest,
    service: string,
    path: string,
    deadline: number,
    requestId: string,
  ): Promise<Dispatcher.ResponseData> {
    const method = request.method.toUpperCase();
    const hasBody =
      request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0'
        ? true
        : request.headers['transfer-encoding'] !== undefined;
    const headers = this.outgoingHeaders(request, service, deadline, requestId);
    const candidates = this.upstreams.candidates(service);
    let lastFailure: unknown;
    for (const [attempt, upstream] of candidates.slice(0, MAX_ATTEMPTS).entries()) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      // One CLIENT span per attempt, the parent of the service's SERVER span.
      const { span, trace } = startOutgoingSpan(method, SpanKind.CLIENT, {
        'http.request.method': method,
        'url.full': `${upstream.url}${path.split('?')[0]}`,
        'switchboard.upstream': service,
        ...(attempt > 0 ? { 'http.request.resend_count': attempt } : {}),
      });
      headers[WireHeaders.TRACEPARENT] = trace.traceparent;
      if (trace.tracestate !== undefined) headers[WireHeaders.TRACESTATE] = trace.tracestate;
      try {
        const response = await upstream.pool.request({
          method: method as Dispatcher.HttpMethod,
          path,
          headers,
          body: hasBody ? request.raw : undefined,
          headersTimeout: remaining,
          bodyTimeout: remaining,
          signal: AbortSignal.timeout(remaining),
        });
        if (span) {
          span.setAttribute('http.response.status_code', response.statusCode);
          if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
          // The body is still streaming to the client: the hop ends when it has.
          response.body.once('close', () => span.end());
        }
        return response;
      } catch (error) {
        failSpan(span, error);
        span?.end();
        lastFailure = error;
        const retriable =
          isConnectFailure(error) && IDEMPOTENT.has(method) && !request.raw.readableDidRead;
        this.log.warn(
          `${method} ${service}${path.split('?')[0]} via ${upstream.url} failed (attempt ${attempt + 1}): ${describe(error)}`,
        );
        if (!retriable) break;
      }
    }
    throw toEdgeError(service, lastFailure, candidates);
  }

  private outgoingHeaders(
    request: FastifyRequest,
    service: string,
    deadline: number,
    requestId: string,
  ): IncomingHttpHeaders {
    const headers: IncomingHttpHeaders = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (!HOP_BY_HOP.has(name)) headers[name] = value;
    }
    // Which domain the request is for, whatever the client sent: a process hosting several answers
    // only that domain's routes, so /api/chat/bots is not bots' /bots in the monolith.
    headers[Gateway.DOMAIN_HEADER] = service;
    headers[WireHeaders.DEADLINE.toLowerCase()] = String(deadline);
    headers['x-request-id'] = requestId;
    const forwarded = request.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = forwarded ? `${String(forwarded)}, ${request.ip}` : request.ip;
    headers['x-forwarded-host'] = request.headers.host ?? '';
    headers['x-forwarded-proto'] = request.protocol;
    return headers;
  }

  private unexpected(error: unknown): AppError {
    const errorId = randomUUID();
    this.log.error(`Unexpected gateway error ${errorId}: ${describe(error)}`);
    return new AppError(CommonErrorCodes.INTERNAL, 'internal', `Internal error (id ${errorId})`, {
      errorId,
    });
  }
}

/** A refusal by the rate limits: the envelope of `GATEWAY.RATE_LIMITED`, HTTP 429. */
class RateRefusal extends AppError {
  constructor(error: AppError) {
    super(error.code, error.kind, error.message, error.details, { retriable: true });
  }
}

function requestIdOf(request: FastifyRequest): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && given.length > 0 && given.length <= 128
    ? given
    : randomUUID();
}

/**
 * Errors are read by shape, not `instanceof Error`: undici's and Node's errors may come from
 * another realm (a test runner's VM context), where `instanceof` is false.
 */
interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: { code?: unknown };
}

function asErrorLike(error: unknown): ErrorLike | undefined {
  return typeof error === 'object' && error !== null ? (error as ErrorLike) : undefined;
}

function codeOf(error: unknown): string | undefined {
  const shape = asErrorLike(error);
  if (shape === undefined) return undefined;
  const own = shape.code;
  const cause = shape.cause?.code;
  return typeof own === 'string' && own !== 'UND_ERR_SOCKET'
    ? own
    : typeof cause === 'string'
      ? cause
      : typeof own === 'string'
        ? own
        : undefined;
}

function isConnectFailure(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && CONNECT_FAILURES.has(code);
}

function toEdgeError(service: string, error: unknown, candidates: Upstream[]): AppError {
  const code = codeOf(error);
  const timedOut =
    error === undefined ||
    (code !== undefined && TIMEOUTS.has(code)) ||
    asErrorLike(error)?.name === 'TimeoutError' ||
    asErrorLike(error)?.name === 'AbortError';
  if (timedOut) {
    return deadlineExceeded(`${service} did not answer before the deadline`);
  }
  const where = candidates.length === 1 ? '' : ` (${candidates.length} replicas tried)`;
  return new AppError(
    CommonErrorCodes.UNAVAILABLE,
    'unavailable',
    `${service} is unavailable${where}: retry later.`,
  );
}

function describe(error: unknown): string {
  const message = asErrorLike(error)?.message;
  if (typeof message !== 'string') return String(error);
  const code = codeOf(error);
  return code ? `${message} (${code})` : message;
}
