// Pulumi entry point of the platform stack (`platform-dev`, `platform-staging`): see platform-stack.ts.
// Its outputs depend on the stack's topology (a NATS user per process), so the program exports
// the record itself: `natsUrl`, `networkName`, `streamsProvisioned`, `topology`, per process
// `<process>NatsUser` / `<process>NatsPassword`, per domain `<domain>DatabaseUrl`, and with
// observability `otlpEndpoint`, `grafanaUrl`, `prometheusUrl`, `jaegerUrl`.
import { loadManifest } from '../../nats/load-manifest';
import { definePlatformFromConfig } from './platform-stack';

export = definePlatformFromConfig(loadManifest()).exports;
