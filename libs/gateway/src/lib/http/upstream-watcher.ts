import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Gateway } from '@switchboard/contracts';
import {
  decodeJson,
  isJetStreamApiError,
  JetStreamApiError,
  NATS_CONNECTION,
} from '@switchboard/platform-messaging';
import { SERVICE_CONFIG, type ServiceConfig } from '@switchboard/platform-runtime';
import { type KvEntry, type NatsConnection, type QueuedIterator } from 'nats';
import { type GatewayConfig } from '../gateway.config';
import { UpstreamRegistry } from './upstreams';

const RETRY_MS = 2_000;

/**
 * Switches traffic at run time: watches the NATS KV bucket `GATEWAY_UPSTREAMS_BUCKET` (default
 * `upstreams`) and hands each service's entry to the registry as it changes — the last values at
 * boot, then every update — so the delivery pipeline moves a service to a new release without
 * restarting any gateway replica, and every replica follows the same history.
 *
 * A KV bucket rather than a watched file: replicas on different hosts share it, a watch is pushed
 * (no polling interval to wait out), each key keeps its history, and the gateway already talks to
 * NATS. Without the bucket the gateway runs on `GATEWAY_UPSTREAMS` and binds once it appears.
 */
@Injectable()
export class UpstreamWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('UpstreamWatcher');
  private watch: QueuedIterator<KvEntry> | undefined;
  private stopped = false;
  /** The KV revision of the last entry applied: the pipeline waits for its own put's. */
  revision = 0;

  constructor(
    @Inject(NATS_CONNECTION) private readonly connection: NatsConnection,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig<typeof GatewayConfig.shape>,
    private readonly registry: UpstreamRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.GATEWAY_UPSTREAMS_BUCKET === '') return;
    // Not awaited: the gateway serves on its configured upstreams while it binds.
    void this.run(this.config.GATEWAY_UPSTREAMS_BUCKET);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.watch?.stop();
  }

  private async run(bucket: string): Promise<void> {
    // Said once per kind of problem, not on every retry.
    let lastProblem: string | undefined;
    while (!this.stopped && !this.connection.isClosed()) {
      try {
        const kv = await this.connection.jetstream().views.kv(bucket, { bindOnly: true });
        this.watch = await kv.watch({ key: '>' });
        this.log.log(`Watching the upstreams in KV bucket ${bucket}`);
        lastProblem = undefined;
        for await (const entry of this.watch) this.apply(entry);
      } catch (error) {
        if (this.stopped || this.connection.isClosed()) return;
        const missing = isJetStreamApiError(error, JetStreamApiError.StreamNotFound);
        const problem = missing
          ? `No KV bucket ${bucket} yet: serving GATEWAY_UPSTREAMS until a deploy creates it`
          : `Cannot watch KV bucket ${bucket} (serving GATEWAY_UPSTREAMS meanwhile): ${(error as Error).message}`;
        if (problem !== lastProblem) this.log.warn(problem);
        lastProblem = problem;
      }
      if (!this.stopped) await new Promise((resolve) => setTimeout(resolve, RETRY_MS).unref());
    }
  }

  private apply(entry: KvEntry): void {
    this.revision = Math.max(this.revision, entry.revision);
    const key = Gateway.UpstreamKey.safeParse(entry.key);
    if (!key.success) {
      this.log.warn(`Ignoring upstreams key "${entry.key}": not a service name`);
      return;
    }
    if (entry.operation === 'DEL' || entry.operation === 'PURGE') {
      this.registry.reset(key.data);
      this.log.log(`${key.data}: back to its configured upstreams (revision ${entry.revision})`);
      return;
    }
    const decoded = decodeJson(entry.value);
    const parsed = decoded.ok ? Gateway.UpstreamsEntry.safeParse(decoded.value) : undefined;
    if (!parsed?.success) {
      // Keep what runs now: a bad entry must not take a service off the gateway.
      this.log.warn(
        `Ignoring upstreams of ${key.data} at revision ${entry.revision}: ` +
          (parsed ? parsed.error.issues.map((issue) => issue.message).join('; ') : 'not JSON'),
      );
      return;
    }
    this.registry.set(key.data, parsed.data.urls, parsed.data.release);
    this.log.log(
      `${key.data} → ${parsed.data.urls.join(', ')}` +
        (parsed.data.release ? ` (release ${parsed.data.release})` : '') +
        ` at revision ${entry.revision}`,
    );
  }
}
