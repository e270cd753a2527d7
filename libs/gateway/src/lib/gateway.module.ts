import { Module } from '@nestjs/common';
import { type DomainDefinition } from '@switchboard/platform-runtime';
import { GatewayConfig } from './gateway.config';
import { DevTokenController } from './http/dev-token.controller';
import { HttpProxy } from './http/http-proxy';
import { MergedOpenApiController } from './http/merged-openapi.controller';
import { UpstreamRegistry } from './http/upstreams';
import { UpstreamsHealth } from './http/upstreams.health';

@Module({
  controllers: [DevTokenController, MergedOpenApiController],
  providers: [UpstreamRegistry, HttpProxy, UpstreamsHealth],
  exports: [UpstreamRegistry],
})
export class GatewayModule {}

/** The edge as a host composes it: no tables, its config keys. */
export const GatewayDomain: DomainDefinition = {
  module: GatewayModule,
  config: GatewayConfig,
  entities: [],
  migrations: [],
};
