import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { HttpRoutesExplorer } from './http-routes.explorer';
import { OPENAPI_OPTIONS, OpenApiDocs, type OpenApiOptions } from './openapi-docs.service';
import { OpenApiController } from './openapi.controller';

/**
 * The OpenAPI 3.1 document of the app's HTTP routes, generated at boot from the zod schemas that
 * validate them and served at `GET /docs/openapi.json` (and `GET /docs`). `createServiceApp`
 * imports it in every service.
 */
@Module({})
export class OpenApiModule {
  static forRoot(options: OpenApiOptions): DynamicModule {
    return {
      module: OpenApiModule,
      imports: [DiscoveryModule],
      controllers: [OpenApiController],
      providers: [{ provide: OPENAPI_OPTIONS, useValue: options }, HttpRoutesExplorer, OpenApiDocs],
      exports: [OpenApiDocs],
    };
  }
}
