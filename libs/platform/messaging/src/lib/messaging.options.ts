import { type RpcContract } from '@switchboard/contracts';
import { type Registry } from 'prom-client';

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export interface MessagingOptions {
  /** The process's name: NATS connection name, reply inbox, `Switchboard-Source` header. */
  serviceName: string;
  /** Comma-separated NATS server URLs. */
  natsUrl: string;
  /** User and password, when the server requires them (nats.js ignores `user:pass@` in a URL). */
  natsCredentials?: { user: string; password: string };
  /**
   * The RPCs this service's domains declare they call (`DomainDefinition.calls`). When set,
   * `RpcClient` refuses any other contract: the declaration is what the deployment's NATS
   * permissions are generated from, so it must not drift from the code.
   */
  declaredCalls?: readonly RpcContract[];
  /**
   * The domains this process hosts. When set, `Outbox` refuses events of any other domain: a
   * domain announces only its own facts, and the process's NATS user may publish only
   * `evt.<domain>.>` of those it hosts.
   */
  domains?: readonly string[];
  /**
   * Where the messaging metrics go (`rpc_*`, `events_*`, `outbox_*`, `dlq_events`, `nats_*`): the
   * registry the service's `/metrics` serves. Default: one nobody scrapes.
   */
  metricsRegistry?: Registry;
}
