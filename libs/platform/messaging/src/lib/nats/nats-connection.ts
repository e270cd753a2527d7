import { type Logger } from '@nestjs/common';
import { inboxPrefixOf } from '@switchboard/contracts';
import { connect, Events, type NatsConnection } from 'nats';
import { isConnected } from './nats-internals';

/** Injection token of the service's one NATS connection. */
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

export interface NatsConnectionOptions {
  /** Comma-separated server URLs, e.g. `nats://127.0.0.1:4222`. */
  url: string;
  /** Shown by the server's monitoring (`/connz`) so operators see which service holds it. */
  serviceName: string;
  credentials?: { user: string; password: string };
  logger?: Pick<Logger, 'log' | 'warn' | 'error'>;
  /** Called each time the connection is re-established after a loss (for `nats_reconnects_total`). */
  onReconnect?: () => void;
}

/**
 * Connects with the settings every Switchboard service needs: unlimited reconnects (the nats.js
 * default gives up after 10), waiting for the first connect instead of failing boot when NATS starts
 * after the service, and no async stack traces (they cost a lot on the request/reply hot path).
 */
export async function connectNats(options: NatsConnectionOptions): Promise<NatsConnection> {
  const servers = options.url.split(',').map((server) => server.trim());
  options.logger?.log(`Connecting to NATS at ${servers.join(', ')}`);
  const connection = await connect({
    servers,
    name: options.serviceName,
    ...(options.credentials
      ? { user: options.credentials.user, pass: options.credentials.password }
      : {}),
    // Replies to this service arrive under its own prefix, so its NATS user may subscribe to
    // `_INBOX.<service>.>` only, and never reads another service's replies.
    inboxPrefix: inboxPrefixOf(options.serviceName),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: true,
    noAsyncTraces: true,
  });
  void watchStatus(connection, options);
  options.logger?.log(`Connected to NATS at ${connection.getServer()}`);
  return connection;
}

async function watchStatus(
  connection: NatsConnection,
  { logger, onReconnect }: NatsConnectionOptions,
): Promise<void> {
  for await (const status of connection.status()) {
    if (status.type === Events.Disconnect) logger?.warn(`NATS disconnected from ${status.data}`);
    else if (status.type === Events.Reconnect) {
      logger?.log(`NATS reconnected to ${status.data}`);
      onReconnect?.();
    } else if (status.type === Events.Error) logger?.error(`NATS error: ${String(status.data)}`);
  }
}

/** True while the connection can carry messages (not closed, not between reconnects). */
export function isNatsUsable(connection: NatsConnection): boolean {
  return !connection.isClosed() && !connection.isDraining() && isConnected(connection);
}
