import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { SERVICE_CONFIG, type ServiceConfig } from '@switchboard/platform-runtime';
import { Pool } from 'undici';
import { type GatewayConfig, LOCAL_UPSTREAMS, UpstreamsSetting } from '../gateway.config';

/** Answers counted for one service since it was last switched. */
export interface Traffic {
  requests: number;
  /** 5xx: the service's own, and the gateway's 503/504 when it could not answer. */
  serverErrors: number;
}

/** One replica of a service: its base URL and the connection pool to it. */
export interface Upstream {
  readonly service: string;
  readonly url: string;
  readonly pool: Pool;
}

/**
 * Where each service runs, as the gateway knows it now. Read from `GATEWAY_UPSTREAMS` at boot;
 * `set` replaces one service's replicas at run time (the delivery pipeline switches traffic
 * through it, see `UpstreamWatcher`), without a restart and without dropping requests already
 * running on the old pools; `reset` goes back to the configured ones.
 */
@Injectable()
export class UpstreamRegistry implements OnApplicationShutdown {
  private readonly replicas = new Map<string, Upstream[]>();
  private readonly turn = new Map<string, number>();
  private readonly retired = new Set<Pool>();
  private readonly releases = new Map<string, string>();
  private readonly traffic = new Map<string, Traffic>();
  private readonly configured: Record<string, string[]>;

  constructor(@Inject(SERVICE_CONFIG) config: ServiceConfig<typeof GatewayConfig.shape>) {
    const configured =
      config.GATEWAY_UPSTREAMS ??
      (config.NODE_ENV === 'production' ? undefined : UpstreamsSetting.parse(LOCAL_UPSTREAMS));
    if (configured === undefined) {
      throw new Error('GATEWAY_UPSTREAMS is required when NODE_ENV=production');
    }
    this.configured = configured;
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
   * Counts one answer of a service (its own, or the gateway's 503/504 for it), for the pipeline's
   * health gate. Counted since the service was last switched, so the figures are the release's.
   */
  record(service: string, status: number): void {
    const counts = this.traffic.get(service) ?? { requests: 0, serverErrors: 0 };
    counts.requests++;
    if (status >= 500) counts.serverErrors++;
    this.traffic.set(service, counts);
  }

  trafficOf(service: string): Traffic {
    return { ...(this.traffic.get(service) ?? { requests: 0, serverErrors: 0 }) };
  }

  /** The release the pipeline said answers for a service, if it switched it. */
  releaseOf(service: string): string | undefined {
    return this.releases.get(service);
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
  set(service: string, urls: readonly string[], release?: string): void {
    if (release === undefined) this.releases.delete(service);
    else this.releases.set(service, release);
    this.traffic.delete(service);
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

  /** Back to the configured replicas of a service (or off the gateway, if it had none). */
  reset(service: string): void {
    const urls = this.configured[service];
    if (urls !== undefined) {
      this.set(service, urls);
      return;
    }
    this.set(service, []);
    this.replicas.delete(service);
  }

  async onApplicationShutdown(): Promise<void> {
    const pools = [
      ...[...this.replicas.values()].flat().map((entry) => entry.pool),
      ...this.retired,
    ];
    await Promise.allSettled(pools.map((pool) => pool.close()));
  }
}
