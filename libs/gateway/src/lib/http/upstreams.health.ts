import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ReadinessChecks } from '@switchboard/platform-runtime';
import { UpstreamWatcher } from './upstream-watcher';
import { UpstreamRegistry } from './upstreams';

const PROBE_TIMEOUT_MS = 1_000;

/**
 * Adds `upstreams` to the gateway's `/health/ready`: each service's own readiness, probed on every
 * call. Informational (never turns the gateway's readiness to 503): with one service down the
 * gateway still serves the others, and its 503 envelopes say which one is missing.
 */
@Injectable()
export class UpstreamsHealth implements OnModuleInit {
  constructor(
    private readonly registry: UpstreamRegistry,
    private readonly watcher: UpstreamWatcher,
    private readonly readiness: ReadinessChecks,
  ) {}

  onModuleInit(): void {
    this.readiness.add({ name: 'upstreams', critical: false, check: () => this.check() });
  }

  async check() {
    const services = await Promise.all(
      this.registry.services.map(async (service) => {
        const replicas = this.registry.candidates(service);
        const states = await Promise.all(replicas.map((upstream) => probe(upstream.url)));
        const ready = states.filter((state) => state === 'up').length;
        const release = this.registry.releaseOf(service);
        const state = {
          status: ready > 0 ? 'up' : 'down',
          ready,
          replicas: replicas.length,
          // Since the last switch: what the pipeline's health gate watches.
          traffic: this.registry.trafficOf(service),
        };
        return [service, release === undefined ? state : { ...state, release }];
      }),
    );
    const down = services.filter(([, state]) => (state as { status: string }).status === 'down');
    return {
      upstreams: {
        status: down.length === 0 ? ('up' as const) : ('down' as const),
        // The KV revision applied last: the pipeline waits for its switch to be in effect.
        revision: this.watcher.revision,
        ...Object.fromEntries(services),
      },
    };
  }
}

async function probe(base: string): Promise<'up' | 'down'> {
  try {
    const response = await fetch(`${base}/health/ready`, {
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    await response.arrayBuffer();
    return response.status === 200 ? 'up' : 'down';
  } catch {
    return 'down';
  }
}
