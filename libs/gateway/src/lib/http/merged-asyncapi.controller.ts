import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '@switchboard/platform-auth';
import { AsyncApiDocs, ExcludeFromDocs } from '@switchboard/platform-runtime';
import { renderAsyncApiPage } from './asyncapi-page';
import { type Json, MergedServiceDocuments } from './service-documents';
import { UpstreamRegistry } from './upstreams';

/**
 * `/api/asyncapi.json`: one AsyncAPI 3.1 document of the platform's messaging, merged from each
 * service's `/docs/asyncapi.json` (what it answers, calls, publishes, consumes, pushes and receives,
 * derived from its code) and the gateway's own; `/api/asyncapi` renders it as a page. Channels and messages are named by
 * subject and operations by domain, so the parts never collide; a service that does not answer is
 * listed in `x-unavailable`.
 */
@Public()
@ExcludeFromDocs()
@Controller('api')
export class MergedAsyncApiController {
  private readonly documents: MergedServiceDocuments;

  constructor(registry: UpstreamRegistry, own: AsyncApiDocs) {
    // The gateway's own messaging (the streams it reads, the pushes it receives) comes first.
    this.documents = new MergedServiceDocuments(
      registry,
      '/docs/asyncapi.json',
      mergeAsyncApi,
      () => [['gateway', JSON.parse(own.json() ?? '{}') as Json]],
    );
  }

  @Get('asyncapi.json')
  @Header('Content-Type', 'application/json; charset=utf-8')
  document(): Promise<string> {
    return this.documents.json();
  }

  @Get('asyncapi')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async page(): Promise<string> {
    return renderAsyncApiPage(JSON.parse(await this.documents.json()) as Json);
  }
}

/** The union of the services' documents (the same subject reads the same in each). */
export function mergeAsyncApi(documents: readonly (readonly [string, Json | undefined])[]): Json {
  const channels: Json = {};
  const operations: Json = {};
  const messages: Json = {};
  const unavailable: string[] = [];
  let first: Json | undefined;
  for (const [service, document] of documents) {
    if (document === undefined) {
      unavailable.push(service);
      continue;
    }
    first ??= document;
    Object.assign(channels, document['channels']);
    Object.assign(operations, document['operations']);
    Object.assign(messages, (document['components'] as Json | undefined)?.['messages']);
  }
  return {
    asyncapi: first?.['asyncapi'] ?? '3.1.0',
    info: {
      ...((first?.['info'] as Json | undefined) ?? { version: 'unknown' }),
      title: 'Switchboard messaging (through the gateway)',
    },
    defaultContentType: 'application/json',
    servers: first?.['servers'] ?? {},
    channels,
    operations,
    components: { messages },
    'x-unavailable': unavailable,
  };
}
