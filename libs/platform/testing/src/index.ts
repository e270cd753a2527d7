/**
 * Hermetic test harness: every suite gets its own nats-server (own port, own JetStream store) and
 * its own Postgres database, so suites can run in parallel; e2e tests start built services as
 * processes and wait for their readiness. A domain's int specs run its service in a
 * `ServiceHarness` and play the services it calls with `respond(nats, Contract, handler)`.
 */
export { freePort } from './lib/free-port.util';
export { waitFor, type WaitForOptions } from './lib/wait-for.util';
export {
  startNatsServer,
  type NatsServerOptions,
  type TestNatsServer,
} from './lib/nats-server.harness';
export {
  createTestDatabase,
  DEFAULT_TEST_DATABASE_URL,
  type TestDatabase,
} from './lib/test-database.harness';
export {
  spawnService,
  type ServiceProcess,
  type SpawnServiceOptions,
} from './lib/service-process.harness';
export {
  createTestEnvironment,
  TEST_JWT_SECRET,
  type TestEnvironment,
} from './lib/test-environment.harness';
export {
  spawnTopology,
  spawnTopologyProcess,
  type SpawnTopologyProcessOptions,
  topologyProcessEntry,
  topologyProcessEnv,
  topologyProcesses,
  type TopologyProcess,
} from './lib/topology.harness';
export { readyForRequests } from './lib/http-app.harness';
export {
  ServiceHarness,
  type CollectedEvent,
  type ServiceHarnessOptions,
} from './lib/service-app.harness';
export {
  ContractResponder,
  respond,
  type ContractHandler,
  type RespondOptions,
} from './lib/contract-responder';
export {
  startTcpProxy,
  type TcpProxy,
  type TcpProxyCutMode,
  type TcpProxyOptions,
  type TcpProxyStats,
} from './lib/tcp-proxy';
export { WORKSPACE_ROOT, WorkspaceCopy } from './lib/workspace-copy';
