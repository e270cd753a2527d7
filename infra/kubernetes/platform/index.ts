// Pulumi entry point of the Kubernetes platform stack (`platform-dev`, `platform-staging`): see platform-stack.ts.
import { loadManifest } from '../../nats/load-manifest';
import { definePlatformFromConfig } from './platform-stack';

const platform = definePlatformFromConfig(loadManifest());

export const namespace = platform.exports['namespace'];
export const natsUrl = platform.exports['natsUrl'];
export const streamsProvisioned = platform.exports['streamsProvisioned'];
export const chatNatsUser = platform.exports['chatNatsUser'];
export const chatNatsPassword = platform.exports['chatNatsPassword'];
export const chatDatabaseUrl = platform.exports['chatDatabaseUrl'];
export const storiesNatsUser = platform.exports['storiesNatsUser'];
export const storiesNatsPassword = platform.exports['storiesNatsPassword'];
export const storiesDatabaseUrl = platform.exports['storiesDatabaseUrl'];
export const callsNatsUser = platform.exports['callsNatsUser'];
export const callsNatsPassword = platform.exports['callsNatsPassword'];
export const callsDatabaseUrl = platform.exports['callsDatabaseUrl'];
export const botsNatsUser = platform.exports['botsNatsUser'];
export const botsNatsPassword = platform.exports['botsNatsPassword'];
export const botsDatabaseUrl = platform.exports['botsDatabaseUrl'];
// The gateway has no database: no gatewayDatabaseUrl.
export const gatewayNatsUser = platform.exports['gatewayNatsUser'];
export const gatewayNatsPassword = platform.exports['gatewayNatsPassword'];
