import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AppError, Calls, CommonErrorCodes, ERROR_KIND_STATUS } from '@switchboard/contracts';
import { type AuthenticatedUser, JwtVerifier } from '@switchboard/platform-auth';
import {
  decodeJson,
  METRICS_REGISTRY,
  NATS_CONNECTION,
  RpcClient,
} from '@switchboard/platform-messaging';
import { SERVICE_CONFIG, type ServiceConfig } from '@switchboard/platform-runtime';
import { type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import { type Duplex } from 'node:stream';
import { type NatsConnection, type Subscription } from 'nats';
import { Counter, Gauge, Registry } from 'prom-client';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import { type GatewayConfig } from '../gateway.config';
import { GatewayErrorCodes, GatewayErrors } from '../gateway.errors';
import { RateLimiter } from '../http/rate-limiter';
import { type Cursor, decodeCursor, encodeCursor } from './cursor';
import { EventFeed } from './event-feed';
import { type FeedEvent } from './replay-window';

/**
 * Close codes the edge uses (4000–4999 are the application's, RFC 6455 §7.4.2). A client
 * reconnects with its last cursor after any of them, after signing in again for 4001.
 */
export const CloseCodes = {
  /** The token the socket was opened with expired. */
  TOKEN_EXPIRED: 4001,
  /** The client read slower than events came: more than GATEWAY_WS_MAX_BUFFERED_BYTES waited. */
  TOO_SLOW: 4008,
  /** The gateway is shutting down (RFC 6455's "going away"). */
  GOING_AWAY: 1001,
} as const;

/** What a client may send: a WebRTC signal to another participant of a call. */
const ClientFrame = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('signal'),
      /** Echoed in the `ack` / `error` frame that answers it. */
      id: z.string().min(1).max(64).optional(),
      callId: z.string(),
      toUserId: z.string(),
      signal: z.unknown(),
    })
    .strict(),
]);

/** Largest client frame: an SDP offer is at most 64 KiB (the signal contract's limit). */
const MAX_CLIENT_FRAME_BYTES = 128 * 1024;
/** How long a socket closed for being slow may take to read up to the close frame. */
const CLOSE_GRACE_MS = 5_000;
/** The longest `setTimeout` Node accepts (about 24.8 days); later expiries are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

class Connection {
  /** Answered our last ping (a dead peer is terminated at the next heartbeat). */
  alive = true;
  closing = false;
  expiry: NodeJS.Timeout | undefined;
  /**
   * Sequences the client already has beyond what this replica had read when it connected (its
   * cursor came from a replica further ahead): events up to them are not sent again.
   */
  floors: Map<string, number> | undefined;

  constructor(
    readonly socket: WebSocket,
    readonly user: AuthenticatedUser,
  ) {}
}

/**
 * `/ws`: each user's realtime feed. The upgrade is authenticated before the socket opens
 * (`Authorization: Bearer` or `?access_token=`), a client resuming with `?cursor=` is first sent
 * what it missed from the feed's replay window, then live events as the feed reads them, and WebRTC
 * signals addressed to the user. Every frame is `{type, cursor, subject, data}`; see docs/gateway.md.
 *
 * Built on `ws` in `noServer` mode: the upgrade is ours to answer (401 before any socket exists),
 * and `bufferedAmount` tells how far each reader is behind, which bounds a slow one.
 */
@Injectable()
export class SocketHub implements OnModuleInit, BeforeApplicationShutdown {
  private readonly log = new Logger('SocketHub');
  private readonly server = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_CLIENT_FRAME_BYTES,
    // Deflate costs memory per socket and CPU per frame; JSON frames this small gain little.
    perMessageDeflate: false,
  });
  private readonly byUser = new Map<string, Set<Connection>>();
  private readonly upgrades: RateLimiter;
  private readonly frames: RateLimiter;
  private readonly maxBuffered: number;
  private heartbeat: NodeJS.Timeout | undefined;
  private signals: Subscription | undefined;
  /** The feed's position as a cursor, encoded once per event rather than once per socket. */
  private sharedCursor: string | undefined;
  /** `gateway_websockets_closed_slow_total`: sockets closed for reading slower than events came. */
  private readonly closedSlow: Counter;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly feed: EventFeed,
    private readonly verifier: JwtVerifier,
    private readonly rpc: RpcClient,
    @Inject(NATS_CONNECTION) private readonly connection: NatsConnection,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig<typeof GatewayConfig.shape>,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    const sockets: Gauge = new Gauge({
      name: 'gateway_websockets',
      help: 'WebSockets open on this gateway replica',
      registers: [registry],
      collect: () => sockets.set(this.size),
    });
    this.closedSlow = new Counter({
      name: 'gateway_websockets_closed_slow_total',
      help: 'WebSockets closed because their client read slower than events came (it resumes from its cursor)',
      registers: [registry],
    });
    this.upgrades = new RateLimiter(config.GATEWAY_RATE_LIMIT_PER_IP);
    this.frames = new RateLimiter(config.GATEWAY_RATE_LIMIT_PER_USER);
    this.maxBuffered = config.GATEWAY_WS_MAX_BUFFERED_BYTES;
  }

  /** Sockets open on this replica. */
  get size(): number {
    let count = 0;
    for (const connections of this.byUser.values()) count += connections.size;
    return count;
  }

  onModuleInit(): void {
    const http = this.adapterHost.httpAdapter.getHttpServer() as Server;
    http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.upgrade(request, socket, head);
    });
    this.feed.onEvent((event) => this.deliver(event));
    this.signals = this.connection.subscribe(`${Calls.CallSignal.subjectPrefix}.*`, {
      callback: (error, message) => {
        if (!error) this.forwardSignal(message.subject, message.data);
      },
    });
    this.heartbeat = setInterval(() => this.beat(), this.config.GATEWAY_WS_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    this.signals?.unsubscribe();
    const open = [...this.byUser.values()].flatMap((connections) => [...connections]);
    for (const connection of open) {
      connection.closing = true;
      connection.socket.close(CloseCodes.GOING_AWAY, 'gateway shutting down: reconnect');
    }
    // Give the close handshakes a moment; whatever is left is cut (clients resume by cursor).
    await Promise.race([
      Promise.all(
        open.map(
          (connection) =>
            new Promise((resolve) => {
              if (connection.socket.readyState === connection.socket.CLOSED) resolve(undefined);
              else connection.socket.once('close', resolve);
            }),
        ),
      ),
      new Promise((resolve) => setTimeout(resolve, 1_000).unref()),
    ]);
    for (const connection of open) connection.socket.terminate();
    this.server.close();
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // A socket that errors before the handshake completes must not take the process down.
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://gateway');
    try {
      if (url.pathname !== '/ws') throw GatewayErrors.notRouted(url.pathname);
      const address = request.socket.remoteAddress ?? 'unknown';
      const verdict = this.upgrades.take(address);
      if (!verdict.allowed) throw GatewayErrors.rateLimited(verdict.retryAfterSeconds, 'address');
      const user = await this.authenticate(request, url);
      const given = url.searchParams.get('cursor');
      const cursor = given === null || given === '' ? undefined : decodeCursor(given);
      if (given && !cursor) throw GatewayErrors.invalidCursor();
      if (!this.feed.ready) throw GatewayErrors.feedNotReady();
      const mine = this.byUser.get(user.id)?.size ?? 0;
      if (mine >= this.config.GATEWAY_WS_MAX_SOCKETS_PER_USER) {
        throw GatewayErrors.tooManySockets(this.config.GATEWAY_WS_MAX_SOCKETS_PER_USER);
      }
      if (socket.destroyed) return;
      this.server.handleUpgrade(request, socket, head, (ws) => this.open(ws, user, cursor));
    } catch (error) {
      refuse(socket, error instanceof AppError ? error : this.unexpected(error));
    }
  }

  private async authenticate(request: IncomingMessage, url: URL): Promise<AuthenticatedUser> {
    const header = request.headers['authorization'];
    if (header !== undefined) return this.verifier.verifyAuthorizationHeader(header);
    const token = url.searchParams.get('access_token');
    // Browsers cannot set headers on a WebSocket: the token comes in the query string instead.
    return this.verifier.verifyAuthorizationHeader(token ? `Bearer ${token}` : undefined);
  }

  private open(socket: WebSocket, user: AuthenticatedUser, cursor: Cursor | undefined): void {
    const connection = new Connection(socket, user);
    // Everything from here to `ready` runs without yielding: no event can slip between the
    // replay and the registration, nor arrive twice.
    let replayed = 0;
    if (cursor) {
      const replay = this.feed.replay(cursor, user.id);
      if (replay.reset) {
        this.send(connection, { type: 'reset', cursor: this.cursorFor(connection), data: {} });
        this.log.debug(`Reset for ${user.id}: ${replay.reason}`);
      } else {
        const position = new Map(cursor);
        for (const event of replay.events) {
          position.set(event.stream, {
            epoch: position.get(event.stream)?.epoch ?? 0,
            seq: event.seq,
          });
          this.send(connection, eventFrame(event, encodeCursor(position)));
        }
        replayed = replay.events.length;
        if (replay.floors.size > 0) connection.floors = replay.floors;
      }
    }
    this.send(connection, {
      type: 'ready',
      cursor: this.cursorFor(connection),
      data: { userId: user.id, replayed },
    });
    const connections = this.byUser.get(user.id) ?? new Set<Connection>();
    connections.add(connection);
    this.byUser.set(user.id, connections);
    this.armExpiry(connection);

    socket.on('pong', () => {
      connection.alive = true;
    });
    socket.on('message', (data, isBinary) => void this.receive(connection, data, isBinary));
    socket.on('error', () => socket.terminate());
    socket.on('close', () => {
      clearTimeout(connection.expiry);
      const mine = this.byUser.get(user.id);
      mine?.delete(connection);
      if (mine?.size === 0) this.byUser.delete(user.id);
    });
  }

  private armExpiry(connection: Connection): void {
    const { expiresAt } = connection.user;
    if (expiresAt === undefined) return;
    const left = expiresAt - Date.now();
    connection.expiry = setTimeout(
      () => {
        if (Date.now() < expiresAt) return this.armExpiry(connection);
        connection.closing = true;
        connection.socket.close(CloseCodes.TOKEN_EXPIRED, 'token expired: sign in and reconnect');
      },
      Math.max(0, Math.min(left, MAX_TIMER_MS)),
    );
    connection.expiry.unref();
  }

  /** A live event from the feed: sent to the sockets of every recipient on this replica. */
  private deliver(event: FeedEvent): void {
    this.sharedCursor = undefined;
    for (const userId of event.recipients) {
      const connections = this.byUser.get(userId);
      if (!connections) continue;
      for (const connection of connections) {
        const floor = connection.floors?.get(event.stream);
        if (floor !== undefined && event.seq <= floor) continue;
        this.send(connection, eventFrame(event, this.cursorFor(connection)));
      }
    }
  }

  private forwardSignal(subject: string, data: Uint8Array): void {
    const decoded = decodeJson(data);
    const signal = decoded.ok ? Calls.CallSignal.payload.safeParse(decoded.value) : undefined;
    // Addressed by subject; the payload must agree, or a publisher could reach someone else.
    if (!signal?.success || subject !== Calls.CallSignal.subjectFor(signal.data.toUserId)) {
      this.log.warn(`Dropped a malformed signal on ${subject}`);
      return;
    }
    for (const connection of this.byUser.get(signal.data.toUserId) ?? []) {
      this.send(connection, {
        type: 'push',
        cursor: this.cursorFor(connection),
        subject: Calls.CallSignal.subjectPrefix,
        data: signal.data,
      });
    }
  }

  private async receive(connection: Connection, data: RawData, isBinary: boolean): Promise<void> {
    const text = isBinary ? undefined : rawText(data);
    const decoded = text === undefined ? undefined : decodeJson(Buffer.from(text));
    const frame = decoded?.ok ? ClientFrame.safeParse(decoded.value) : undefined;
    if (!frame?.success) {
      const id = idOf(decoded?.ok ? decoded.value : undefined);
      this.reply(connection, id, GatewayErrors.invalidFrame());
      return;
    }
    const { id, callId, toUserId, signal } = frame.data;
    const verdict = this.frames.take(connection.user.id);
    if (!verdict.allowed) {
      this.reply(connection, id, GatewayErrors.rateLimited(verdict.retryAfterSeconds, 'user'));
      return;
    }
    try {
      const result = await this.rpc.call(Calls.RelaySignal, {
        callId,
        // Who sends it is the socket's user, never a field the client chose.
        fromUserId: connection.user.id,
        toUserId,
        signal: signal as Calls.SignalBody,
      });
      this.send(connection, { type: 'ack', id, cursor: this.cursorFor(connection), data: result });
    } catch (error) {
      this.reply(connection, id, error instanceof AppError ? error : this.unexpected(error));
    }
  }

  private reply(connection: Connection, id: string | undefined, error: AppError): void {
    this.send(connection, {
      type: 'error',
      id,
      cursor: this.cursorFor(connection),
      data: error.toEnvelope(),
    });
  }

  /** Heartbeats keep quiet sockets' cursors fresh and find peers that vanished without a close. */
  private beat(): void {
    for (const connections of this.byUser.values()) {
      for (const connection of connections) {
        if (!connection.alive) {
          connection.socket.terminate();
          continue;
        }
        connection.alive = false;
        connection.socket.ping();
        this.send(connection, { type: 'heartbeat', cursor: this.cursorFor(connection), data: {} });
      }
    }
  }

  /**
   * Sends one frame, unless the socket has more than the cap waiting: then the client is too slow
   * to follow, and is closed (it resumes from its last cursor) rather than buffered without bound.
   */
  private send(connection: Connection, frame: Frame | string): void {
    if (connection.closing) return;
    const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
    const { socket } = connection;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount + Buffer.byteLength(text) > this.maxBuffered) {
      connection.closing = true;
      this.closedSlow.inc();
      this.log.warn(
        `Closing a socket of ${connection.user.id}: ${socket.bufferedAmount} bytes unread (cap ${this.maxBuffered})`,
      );
      socket.close(CloseCodes.TOO_SLOW, 'too slow: reconnect with your last cursor');
      setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
      return;
    }
    socket.send(text);
  }

  /** The cursor of a frame sent now: the feed's position, or the client's own where it is ahead. */
  private cursorFor(connection: Connection): string {
    const position = this.feed.position();
    if (connection.floors) {
      let ahead = false;
      for (const [stream, floor] of connection.floors) {
        const at = position.get(stream);
        if (at && floor > at.seq) {
          position.set(stream, { epoch: at.epoch, seq: floor });
          ahead = true;
        }
      }
      if (ahead) return encodeCursor(position);
      connection.floors = undefined;
    }
    this.sharedCursor ??= encodeCursor(position);
    return this.sharedCursor;
  }

  private unexpected(error: unknown): AppError {
    this.log.error(`Unexpected socket error: ${(error as Error)?.stack ?? String(error)}`);
    return new AppError(CommonErrorCodes.INTERNAL, 'internal', 'Internal error');
  }
}

interface Frame {
  type: 'event' | 'push' | 'ready' | 'reset' | 'heartbeat' | 'ack' | 'error';
  id?: string;
  cursor: string;
  subject?: string;
  data: unknown;
}

function eventFrame(event: FeedEvent, cursor: string): string {
  return JSON.stringify({ type: 'event', cursor, subject: event.subject, data: event.payload });
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

function idOf(value: unknown): string | undefined {
  const id = (value as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' && id.length > 0 && id.length <= 64 ? id : undefined;
}

const TOO_MANY = new Set<string>([
  GatewayErrorCodes.RATE_LIMITED,
  GatewayErrorCodes.TOO_MANY_SOCKETS,
]);

/** Answers an upgrade with an HTTP error and the usual envelope; no socket is ever opened. */
function refuse(socket: Duplex, error: AppError): void {
  if (socket.destroyed) return;
  const status = TOO_MANY.has(error.code) ? 429 : ERROR_KIND_STATUS[error.kind];
  const body = JSON.stringify(error.toEnvelope());
  const retryAfter = (error.details as { retryAfterSeconds?: number } | undefined)
    ?.retryAfterSeconds;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      (retryAfter !== undefined ? `Retry-After: ${retryAfter}\r\n` : '') +
      '\r\n' +
      body,
  );
}
