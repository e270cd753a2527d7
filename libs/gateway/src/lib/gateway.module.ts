import { Module } from '@nestjs/common';
import { Calls, Gateway } from '@switchboard/contracts';
import { type DomainDefinition } from '@switchboard/platform-runtime';
import { GatewayConfig } from './gateway.config';
import { DevTokenController } from './http/dev-token.controller';
import { HttpProxy } from './http/http-proxy';
import { MergedAsyncApiController } from './http/merged-asyncapi.controller';
import { MergedOpenApiController } from './http/merged-openapi.controller';
import { UpstreamRegistry } from './http/upstreams';
import { UpstreamsHealth } from './http/upstreams.health';
import { UpstreamWatcher } from './http/upstream-watcher';
import { WebClient } from './web/web-client';
import { EventFeed } from './ws/event-feed';
import { READ_EVENTS } from './ws/recipients';
import { SocketHub } from './ws/socket-hub';

@Module({
  controllers: [DevTokenController, MergedOpenApiController, MergedAsyncApiController],
  providers: [
    UpstreamRegistry,
    UpstreamWatcher,
    HttpProxy,
    UpstreamsHealth,
    EventFeed,
    SocketHub,
    WebClient,
  ],
  exports: [UpstreamRegistry],
})
export class GatewayModule {}

/**
 * The edge as a host composes it: no tables; it reads the streams of the events it forwards to
 * sockets, receives the signals it forwards, and relays the signals clients send over a socket.
 */
export const GatewayDomain: DomainDefinition = {
  name: Gateway.DOMAIN,
  module: GatewayModule,
  config: GatewayConfig,
  entities: [],
  migrations: [],
  calls: [Calls.RelaySignal],
  reads: READ_EVENTS,
  receives: [Calls.CallSignal],
};
