import { once } from 'node:events';
import {
  type AddressInfo,
  createConnection,
  createServer,
  type Server,
  type Socket,
} from 'node:net';
import { sleep } from './wait-for.util';

/** Options of {@link startTcpProxy}. */
export interface TcpProxyOptions {
  /** Where connections are forwarded to, e.g. `127.0.0.1`. */
  targetHost: string;
  /** Port forwarded to, e.g. Postgres' `5432`. */
  targetPort: number;
  /** Interface the proxy listens on. Default `127.0.0.1`. */
  host?: string;
  /** Port the proxy listens on. Default: one the kernel picks. */
  port?: number;
}

/**
 * What happens to connections made while the proxy is cut:
 * - `refuse`: the proxy stops listening, so connecting fails at once with `ECONNREFUSED`
 *   (the server is down, the host answers);
 * - `blackhole`: the connection is accepted and then nothing comes back, ever (a network partition:
 *   the client learns only from its own time-outs). Held connections are dropped on `restore()`.
 */
export type TcpProxyCutMode = 'refuse' | 'blackhole';

/** Counters of a {@link TcpProxy}, for assertions and for the figures a test prints. */
export interface TcpProxyStats {
  /** Connections forwarded to the target since start. */
  forwarded: number;
  /** Forwarded connections open right now. */
  open: number;
  /** Forwarded connections the proxy broke with `cut()`. */
  dropped: number;
  /** Connections accepted and held without an answer while cut in `blackhole` mode. */
  blackholed: number;
}

/** A TCP forwarder a test can cut, to play an unreachable database or broker. */
export interface TcpProxy {
  /** Port clients connect to; the same after `cut()` and `restore()`. */
  readonly port: number;
  /** Interface clients connect to. */
  readonly host: string;
  /** Whether the proxy is cut right now. */
  readonly isCut: boolean;
  stats(): TcpProxyStats;
  /**
   * Breaks every forwarded connection (the client side gets a TCP reset) and, until `restore()`,
   * refuses or black-holes new ones (default `blackhole`). Resolves once the current connections are
   * gone. Cutting a cut proxy only changes the mode.
   */
  cut(mode?: TcpProxyCutMode): Promise<void>;
  /** Forwards new connections again; connections held in `blackhole` mode are dropped first. */
  restore(): Promise<void>;
  /** Drops every connection and closes the listener. Idempotent. */
  stop(): Promise<void>;
}

const RELISTEN_ATTEMPTS = 20;

/**
 * Starts a TCP proxy to `targetHost:targetPort` on a port of its own. Point a service at the proxy
 * (e.g. `DATABASE_URL` with the proxy's port) and call `cut()` to make its target unreachable
 * without touching the target itself — the shared Postgres keeps running for everyone else.
 *
 * @example
 * const proxy = await startTcpProxy({ targetHost: '127.0.0.1', targetPort: 5432 });
 * // DATABASE_URL=postgres://postgres@127.0.0.1:${proxy.port}/mydb
 * await proxy.cut();      // every connection broken, new ones hang
 * await proxy.restore();  // reachable again
 * await proxy.stop();
 */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const proxy = new ProxyServer(options);
  await proxy.listen(options.port ?? 0);
  return proxy;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

class ProxyServer implements TcpProxy {
  readonly host: string;
  private server?: Server;
  private boundPort = 0;
  private mode: TcpProxyCutMode | undefined;
  private stopped = false;
  private readonly pairs = new Set<Pair>();
  private readonly held = new Set<Socket>();
  private readonly counters = { forwarded: 0, dropped: 0, blackholed: 0 };

  constructor(private readonly options: TcpProxyOptions) {
    this.host = options.host ?? '127.0.0.1';
  }

  get port(): number {
    return this.boundPort;
  }

  get isCut(): boolean {
    return this.mode !== undefined;
  }

  stats(): TcpProxyStats {
    return { ...this.counters, open: this.pairs.size };
  }

  async listen(port: number): Promise<void> {
    // Re-binding the port a moment after closing it can meet a lingering socket; try again briefly.
    for (let attempt = 1; ; attempt++) {
      const server = createServer((socket) => this.accept(socket));
      try {
        server.listen({ host: this.host, port, exclusive: true });
        await once(server, 'listening');
        this.server = server;
        this.boundPort = (server.address() as AddressInfo).port;
        return;
      } catch (error) {
        server.close();
        const retriable = (error as NodeJS.ErrnoException).code === 'EADDRINUSE' && port !== 0;
        if (!retriable || attempt >= RELISTEN_ATTEMPTS) throw error;
        await sleep(50);
      }
    }
  }

  async cut(mode: TcpProxyCutMode = 'blackhole'): Promise<void> {
    if (this.stopped) throw new Error('The proxy was stopped');
    this.mode = mode;
    if (mode === 'refuse') await this.closeListener();
    await this.dropAll();
  }

  async restore(): Promise<void> {
    if (this.stopped) throw new Error('The proxy was stopped');
    const wasRefusing = this.server === undefined;
    this.mode = undefined;
    for (const socket of this.held) socket.destroy();
    this.held.clear();
    if (wasRefusing) await this.listen(this.boundPort);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const socket of this.held) socket.destroy();
    this.held.clear();
    await this.closeListener();
    await this.dropAll();
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    if (this.stopped) {
      client.destroy();
      return;
    }
    if (this.mode !== undefined) {
      // Accepted, read from, never answered: the peer waits on its own time-outs.
      this.counters.blackholed += 1;
      this.held.add(client);
      client.on('close', () => this.held.delete(client));
      client.resume();
      return;
    }
    const upstream = createConnection({
      host: this.options.targetHost,
      port: this.options.targetPort,
    });
    upstream.on('error', () => undefined);
    upstream.setNoDelay(true);
    client.setNoDelay(true);
    const pair: Pair = { client, upstream };
    this.pairs.add(pair);
    this.counters.forwarded += 1;
    const close = (): void => {
      if (!this.pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close);
    upstream.on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private async dropAll(): Promise<void> {
    const closed: Promise<unknown>[] = [];
    for (const pair of [...this.pairs]) {
      this.pairs.delete(pair);
      this.counters.dropped += 1;
      closed.push(closedOf(pair.client), closedOf(pair.upstream));
      // A reset, as a broken network or a killed server gives, rather than a polite FIN.
      pair.client.resetAndDestroy();
      pair.upstream.destroy();
    }
    await Promise.all(closed);
  }

  private async closeListener(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    // close() stops accepting at once; its callback would wait for the open connections, which
    // the caller drops itself.
    server.close();
    await sleep(0);
  }
}

function closedOf(socket: Socket): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}
