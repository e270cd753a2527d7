/**
 * What the deploy pipeline reads of infra (`@switchboard/infra`): how a process's NATS permissions
 * follow from the messaging manifest, so `deploy report` says which rights a change grants with
 * the same derivation the stacks deploy. Nothing here loads Pulumi.
 */
export { manifestForTopology, type Topology, type TopologyProcess } from './components/topology';
export type { ConsumedStream, MessagingManifest, ServiceMessaging } from './nats/manifest';
export { type NatsPermissions, natsPermissionsFor } from './nats/permissions';
