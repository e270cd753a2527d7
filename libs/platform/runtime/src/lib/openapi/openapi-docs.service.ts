import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
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
}

/**
 * The app's OpenAPI document, built once when the app has started (all routes registered) and kept:
 * routes do not change while the app runs.
 */
@Injectable()
export class OpenApiDocs implements OnApplicationBootstrap {
  private built?: { document: OpenApiDocument; json: string };

  constructor(
    private readonly explorer: HttpRoutesExplorer,
    @Inject(OPENAPI_OPTIONS) private readonly options: OpenApiOptions,
  ) {}

  onApplicationBootstrap(): void {
    const document = buildOpenApiDocument(this.explorer.explore(this.options.globalPrefix), {
      ...this.options,
      version: this.options.version ?? DEFAULT_API_VERSION,
    });
    this.built = { document, json: JSON.stringify(document) };
  }

  /** @throws Error before the app has been initialised (`app.init()` / `listen()`). */
  get document(): OpenApiDocument {
    return this.ready().document;
  }

  /** The document, serialised once. */
  get json(): string {
    return this.ready().json;
  }

  private ready(): { document: OpenApiDocument; json: string } {
    if (!this.built) throw new Error('The OpenAPI document is built when the app is initialised');
    return this.built;
  }
}
