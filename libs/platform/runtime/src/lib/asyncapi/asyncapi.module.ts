import {
  Controller,
  type DynamicModule,
  Get,
  Header,
  Headers,
  Inject,
  Injectable,
  Module,
  NotFoundException,
} from '@nestjs/common';
import { asyncApiDocument, Gateway } from '@switchboard/contracts';
import { Public } from '@switchboard/platform-auth';
import { messagingManifestOf } from '../bootstrap/messaging-manifest';
import { type ServiceDefinition } from '../bootstrap/service-definition';
import { ExcludeFromDocs } from '../openapi/exclude-from-docs.decorator';
import { DEFAULT_API_VERSION } from '../openapi/openapi-docs.service';

const ASYNCAPI_OPTIONS = Symbol('ASYNCAPI_OPTIONS');

export interface AsyncApiOptions {
  definition: ServiceDefinition;
  /** `info.version`; default the workspace's version ({@link DEFAULT_API_VERSION}). */
  version?: string;
}

/**
 * The AsyncAPI document of what this process does on NATS — every subject it answers, calls,
 * publishes, consumes, pushes or receives, with its messages — derived from its handlers and
 * declarations (the messaging manifest) and the contracts. Operations are named after the hosted
 * domain (`chat.answers.rpc.chat.post-message.v1`), so a domain reads the same in its own service
 * and in the monolith. Built on first use and kept: a process's handlers do not change.
 */
@Injectable()
export class AsyncApiDocs {
  private readonly documents = new Map<string, string>();

  constructor(@Inject(ASYNCAPI_OPTIONS) private readonly options: AsyncApiOptions) {}

  /** The process's document, or one hosted domain's part; `undefined` for a domain not hosted. */
  json(domain?: string): string | undefined {
    const { definition } = this.options;
    const domains =
      domain === undefined
        ? definition.domains
        : definition.domains.filter((hosted) => hosted.name === domain);
    if (domains.length === 0) return undefined;
    const key = domain ?? '';
    let json = this.documents.get(key);
    if (json === undefined) {
      const manifests = domains.map((hosted) => ({
        name: hosted.name,
        manifest: messagingManifestOf({ ...definition, domains: [hosted] }),
      }));
      json = JSON.stringify(
        asyncApiDocument({
          version: this.options.version ?? DEFAULT_API_VERSION,
          services: Object.fromEntries(manifests.map(({ name, manifest }) => [name, manifest])),
          streams: manifests[0].manifest.streams,
          usedOnly: true,
        }),
      );
      this.documents.set(key, json);
    }
    return json;
  }
}

/**
 * `GET /docs/asyncapi.json`: {@link AsyncApiDocs}' document, to anyone; asked for one domain
 * (`Switchboard-Domain`, as the gateway asks), that domain's part only, 404 for a domain the
 * process does not host. The gateway merges them at `/api/asyncapi.json`.
 */
@Public()
@ExcludeFromDocs()
@Controller('docs')
class AsyncApiController {
  constructor(private readonly docs: AsyncApiDocs) {}

  @Get('asyncapi.json')
  @Header('Content-Type', 'application/json; charset=utf-8')
  document(@Headers(Gateway.DOMAIN_HEADER) domain?: string): string {
    const json = this.docs.json(domain);
    if (json === undefined) throw new NotFoundException(`This process does not host ${domain}`);
    return json;
  }
}

@Module({})
export class AsyncApiModule {
  static forRoot(options: AsyncApiOptions): DynamicModule {
    return {
      module: AsyncApiModule,
      controllers: [AsyncApiController],
      providers: [{ provide: ASYNCAPI_OPTIONS, useValue: options }, AsyncApiDocs],
      exports: [AsyncApiDocs],
    };
  }
}
