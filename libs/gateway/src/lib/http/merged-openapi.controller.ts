import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '@switchboard/platform-auth';
import { ExcludeFromDocs } from '@switchboard/platform-runtime';
import { type Json, MergedServiceDocuments } from './service-documents';
import { UpstreamRegistry } from './upstreams';

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
  private readonly documents: MergedServiceDocuments;

  constructor(registry: UpstreamRegistry) {
    this.documents = new MergedServiceDocuments(registry, '/docs/openapi.json', mergeDocuments);
  }

  @Get()
  @Header('Content-Type', 'application/json; charset=utf-8')
  document(): Promise<string> {
    return this.documents.json();
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
