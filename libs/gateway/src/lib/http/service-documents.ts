import { Gateway } from '@switchboard/contracts';
import { type UpstreamRegistry } from './upstreams';

const FETCH_TIMEOUT_MS = 2_000;
const CACHE_MS = 30_000;

export type Json = Record<string, unknown>;

/**
 * A document every service serves at the same path (`/docs/openapi.json`, `/docs/asyncapi.json`),
 * fetched from each service behind the gateway and merged into one. Each is asked for with the
 * service's domain, so a process hosting several gives each only its own part; a service that does
 * not answer (any replica) is passed as `undefined` and listed in `x-unavailable` by the merger.
 * The merged JSON is cached for 30 s once every service answered.
 */
export class MergedServiceDocuments {
  private cached?: { at: number; json: string };

  constructor(
    private readonly registry: UpstreamRegistry,
    private readonly path: string,
    private readonly merge: (documents: readonly (readonly [string, Json | undefined])[]) => Json,
    /** Documents of the gateway's own process, merged first. */
    private readonly local: () => readonly (readonly [string, Json])[] = () => [],
  ) {}

  async json(): Promise<string> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.json;
    const fetched = await Promise.all(
      this.registry.services.map(
        async (service) => [service, await this.fetchDocument(service)] as const,
      ),
    );
    const merged = this.merge([...this.local(), ...fetched]);
    const json = JSON.stringify(merged);
    if ((merged['x-unavailable'] as string[]).length === 0) this.cached = { at: Date.now(), json };
    return json;
  }

  private async fetchDocument(service: string): Promise<Json | undefined> {
    for (const upstream of this.registry.candidates(service)) {
      try {
        const response = await fetch(`${upstream.url}${this.path}`, {
          headers: { [Gateway.DOMAIN_HEADER]: service },
          signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
        });
        if (response.ok) return (await response.json()) as Json;
      } catch {
        // the next replica, or listed as unavailable
      }
    }
    return undefined;
  }
}
