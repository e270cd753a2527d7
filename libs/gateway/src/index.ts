/**
 * The edge: the one public entry of Switchboard. `/api/<service>/<path>` is routed to the service,
 * with the JWT verified first, rate limits, deadlines and request ids; `/api/docs` merges every
 * service's OpenAPI document, `/api/asyncapi.json` their AsyncAPI documents.
 */
export { GatewayDomain, GatewayModule } from './lib/gateway.module';
export { GatewayConfig, LOCAL_UPSTREAMS } from './lib/gateway.config';
export { GatewayErrorCodes } from './lib/gateway.errors';
export { UpstreamRegistry, type Upstream } from './lib/http/upstreams';
