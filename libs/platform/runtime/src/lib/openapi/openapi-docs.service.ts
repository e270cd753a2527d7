import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { type DomainRoutes } from '../http/domain-routes';
import { HttpRoutesExplorer } from './http-routes.explorer';
import { buildOpenApiDocument, type OpenApiInfo } from './openapi-document.builder';
import { type OpenApiDocument } from './openapi.types';

/** Injection token of the {@link OpenApiOptions}. */
export const OPENAPI_OPTIONS = Symbol('OPENAPI_OPTIONS');

/**
 * `info.version` when none is given: the services ship together from this monorepo, so the API
 * version follows the workspace's (root package.json `version`).
 */
export const DEFAULT_API_VERSION = '0.1.0';

/** Options of `OpenApiModule.forRoot`. */
export interface OpenApiOptions extends Omit<OpenApiInfo, 'version'> {
  /** Default {@link DEFAULT_API_VERSION}. */
  version?: string;
  /** The app's global prefix, if it sets one (`app.setGlobalPrefix`), so documented paths match. */
  globalPrefix?: string;
  /** Which hosted domain each route belongs to: with it, each domain also has a document of its own. */
  domainRoutes?: DomainRoutes;
}

interface BuiltDocument {
  document: OpenApiDocument;
  json: string;
}

/**
 * The app's OpenAPI document, built once when the app has started (all routes registered) and kept:
 * routes do not change while the app runs. With `domainRoutes`, each hosted domain's own document
 * too — what the gateway shows of the domain, the same whichever process hosts it.
 */
@Injectable()
export class OpenApiDocs implements OnApplicationBootstrap {
  private built?: BuiltDocument;
  private readonly perDomain = new Map<string, BuiltDocument>();

  constructor(
    private readonly explorer: HttpRoutesExplorer,
    @Inject(OPENAPI_OPTIONS) private readonly options: OpenApiOptions,
  ) {}

  onApplicationBootstrap(): void {
    const routes = this.explorer.explore(this.options.globalPrefix);
    const version = this.options.version ?? DEFAULT_API_VERSION;
    this.built = serialised(buildOpenApiDocument(routes, { ...this.options, version }));
    const owners = this.options.domainRoutes;
    for (const domain of owners?.domains ?? []) {
      const own = routes.filter((route) => owners?.ownerOf(route.controller) === domain);
      this.perDomain.set(
        domain,
        serialised(buildOpenApiDocument(own, { ...this.options, title: domain, version })),
      );
    }
  }

  /** The document of one hosted domain's routes, serialised; undefined for a domain not hosted. */
  jsonOf(domain: string): string | undefined {
    this.ready();
    return this.perDomain.get(domain)?.json;
  }

  /** @throws Error before the app has been initialised (`app.init()` / `listen()`). */
  get document(): OpenApiDocument {
    return this.ready().document;
  }

  /** The document, serialised once. */
  get json(): string {
    return this.ready().json;
  }

  private ready(): BuiltDocument {
    if (!this.built) throw new Error('The OpenAPI document is built when the app is initialised');
    return this.built;
  }
}

function serialised(document: OpenApiDocument): BuiltDocument {
  return { document, json: JSON.stringify(document) };
}
