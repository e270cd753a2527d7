import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { SERVICE_CONFIG, type ServiceConfig } from '@switchboard/platform-runtime';
import { Pool } from 'undici';
import { type GatewayConfig, LOCAL_UPSTREAMS, UpstreamsSetting } from '../gateway.config';

/** One replica of a service: its base URL and the connection pool to it. */
export interface Upstream {
  readonly service: string;
  readonly url: string;
  readonly pool: Pool;
}

/**
 * Where each service runs, as the gateway knows it now. Read from `GATEWAY_UPSTREAMS` at boot;
 * `set` replaces one service's replicas at run time (the delivery pipeline switches traffic
 * through it), without a restart and without dropping requests already running on the old pools.
 */
@Injectable()
export class UpstreamRegistry implements OnApplicationShutdown {
  private readonly replicas = new Map<string, Upstream[]>();
  private readonly turn = new Map<string, number>();
  private readonly retired = new Set<Pool>();

  constructor(@Inject(SERVICE_CONFIG) config: ServiceConfig<typeof GatewayConfig.shape>) {
    const configured =
      config.GATEWAY_UPSTREAMS ??
      (config.NODE_ENV === 'production' ? undefined : UpstreamsSetting.parse(LOCAL_UPSTREAMS));
    if (configured === undefined) {
      throw new Error('GATEWAY_UPSTREAMS is required when NODE_ENV=production');
    }
    for (const [service, urls] of Object.entries(configured)) this.set(service, urls);
  }

  /** The services behind `/api`, sorted. */
  get services(): string[] {
    return [...this.replicas.keys()].sort();
  }

  has(service: string): boolean {
    return this.replicas.has(service);
  }

  /**
   * The replicas of a service in the order to try them: round-robin over calls, so load spreads
   * and a retry goes to another replica first.
   */
  candidates(service: string): Upstream[] {
    const replicas = this.replicas.get(service) ?? [];
    if (replicas.length <= 1) return replicas;
    const start = (this.turn.get(service) ?? 0) % replicas.length;
    this.turn.set(service, start + 1);
    return [...replicas.slice(start), ...replicas.slice(0, start)];
  }

  /** Replaces the replicas of a service; pools of removed ones close once their requests finish. */
  set(service: string, urls: readonly string[]): void {
    const previous = this.replicas.get(service) ?? [];
    const kept = previous.filter((upstream) => urls.includes(upstream.url));
    const added = urls
      .filter((url) => !kept.some((upstream) => upstream.url === url))
      .map((url) => ({
        service,
        url,
        pool: new Pool(url, { connections: 128, keepAliveTimeout: 10_000 }),
      }));
    this.replicas.set(service, [...kept, ...added]);
    for (const upstream of previous.filter((entry) => !urls.includes(entry.url))) {
      this.retired.add(upstream.pool);
      void upstream.pool.close().finally(() => this.retired.delete(upstream.pool));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const pools = [
      ...[...this.replicas.values()].flat().map((entry) => entry.pool),
      ...this.retired,
    ];
    await Promise.allSettled(pools.map((pool) => pool.close()));
  }
}
