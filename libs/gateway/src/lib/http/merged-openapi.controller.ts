import { Controller, Get, Header } from '@nestjs/common';
import { Gateway } from '@switchboard/contracts';
import { Public } from '@switchboard/platform-auth';
import { ExcludeFromDocs } from '@switchboard/platform-runtime';
import { UpstreamRegistry } from './upstreams';

const FETCH_TIMEOUT_MS = 2_000;
const CACHE_MS = 30_000;

type Json = Record<string, unknown>;

/**
 * `/api/docs`: one OpenAPI document for every service behind the gateway — each service's own
 * document with its paths under `/api/<service>` and its schemas prefixed with the service's name
 * (`chat.Message`), so nothing collides. A service that does not answer is listed in
 * `x-unavailable` and left out until it does; documents are cached for 30 s. Each document is
 * asked for with the service's domain, so a process hosting several gives each only its own routes.
 */
@Public()
@ExcludeFromDocs()
@Controller('api/docs')
export class MergedOpenApiController {
  private cached?: { at: number; json: string };

  constructor(private readonly registry: UpstreamRegistry) {}

  @Get()
  @Header('Content-Type', 'application/json; charset=utf-8')
  async document(): Promise<string> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.json;
    const fetched = await Promise.all(
      this.registry.services.map(
        async (service) => [service, await this.fetchDocument(service)] as const,
      ),
    );
    const merged = mergeDocuments(fetched);
    const json = JSON.stringify(merged);
    if ((merged['x-unavailable'] as string[]).length === 0) this.cached = { at: Date.now(), json };
    return json;
  }

  private async fetchDocument(service: string): Promise<Json | undefined> {
    for (const upstream of this.registry.candidates(service)) {
      try {
        const response = await fetch(`${upstream.url}/docs/openapi.json`, {
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

/** Merges service documents: paths prefixed, schema names namespaced, references rewritten. */
export function mergeDocuments(documents: readonly (readonly [string, Json | undefined])[]): Json {
  const paths: Json = {};
  const schemas: Json = {};
  const securitySchemes: Json = {};
  const unavailable: string[] = [];
  for (const [service, document] of documents) {
    if (document === undefined) {
      unavailable.push(service);
      continue;
    }
    const renamed = JSON.parse(
      JSON.stringify(document).replaceAll(
        '"#/components/schemas/',
        `"#/components/schemas/${service}.`,
      ),
    ) as Json;
    const components = (renamed['components'] ?? {}) as Json;
    for (const [name, schema] of Object.entries((components['schemas'] ?? {}) as Json)) {
      schemas[`${service}.${name}`] = schema;
    }
    Object.assign(securitySchemes, components['securitySchemes'] ?? {});
    for (const [path, item] of Object.entries((renamed['paths'] ?? {}) as Json)) {
      paths[`/api/${service}${path === '/' ? '' : path}`] = withTag(item as Json, service);
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchboard API (through the gateway)',
      version: '1',
      description:
        'Every service behind one entry: /api/<service>/<path>. Bearer JWT on every route but the documents.',
    },
    paths,
    components: { schemas, securitySchemes },
    'x-unavailable': unavailable,
  };
}

function withTag(item: Json, service: string): Json {
  return Object.fromEntries(
    Object.entries(item).map(([method, operation]) =>
      typeof operation === 'object' && operation !== null && !Array.isArray(operation)
        ? [method, { ...(operation as Json), tags: [service] }]
        : [method, operation],
    ),
  );
}
