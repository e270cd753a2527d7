import { type RpcContract } from '@switchboard/contracts';

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export interface MessagingOptions {
  /** The service's name: NATS connection name, queue group, `Switchboard-Source` header. */
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
   * The domain whose events this service publishes. When set, `Outbox` refuses events of any other
   * domain: a service announces only its own facts, and its NATS user may publish only
   * `evt.<domain>.>`.
   */
  domain?: string;
}
