import { type Logger } from '@nestjs/common';
import { type MessageHandler } from '@nestjs/microservices';
import { contractDigest, type RpcContract } from '@switchboard/contracts';
import { type Msg, type NatsConnection, type Service } from 'nats';
import { coreMsgOf, type EndpointStats, takeOverEndpointStats } from '../nats/nats-internals';

/** One `@RpcHandler` as the transport answers it. */
export interface RpcEndpoint {
  readonly contract: RpcContract;
  readonly handler: MessageHandler;
  /** Its `$SRV.STATS` counters, once registered (absent if nats.js keeps them itself). */
  stats?: EndpointStats;
}

/** What `$SRV.INFO` / `PING` say about the process, besides the domain and its contracts. */
export interface ServiceIdentity {
  /** Semver, as the micro protocol requires. */
  version: string;
  /** The process hosting the domain (`chat`, or `monolith`). */
  process?: string;
  /** The release it runs (`SERVICE_RELEASE`, e.g. a git sha), when the deployment sets one. */
  release?: string;
}

/** Semver 2.0 (the micro protocol's `version`); nats.js only looks for three numbers in it. */
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

export function assertSemver(version: string): void {
  if (!SEMVER.test(version)) {
    throw new Error(`NATS service version must be semver (e.g. 1.2.3), got "${version}"`);
  }
}

/**
 * `rpc.chat.post-message.v1` → `post-message-v1`: unique within the domain, and a valid endpoint
 * name (letters, digits, `-`, `_`).
 */
export function endpointNameOf(subject: string): string {
  return subject.split('.').slice(2).join('-');
}

/**
 * Registers the handlers as NATS micro services, one per domain named after it, so `nats micro ls /
 * info / stats` shows a domain the same whichever process hosts it. Each endpoint listens on its
 * contract's subject in the queue group of its domain, as a plain subscription did: replicas, or a
 * monolith and the service extracted from it, share the requests. The `$SRV.*` subjects are not
 * queued: every instance answers them. The services are handed to `started` as they are created,
 * so a failure halfway leaves none unstopped.
 */
export async function addDomainServices(
  connection: NatsConnection,
  endpoints: readonly RpcEndpoint[],
  identity: ServiceIdentity,
  answer: (msg: Msg, endpoint: RpcEndpoint) => void,
  started: (service: Service) => void,
  log: Logger,
): Promise<void> {
  const byDomain = new Map<string, RpcEndpoint[]>();
  for (const endpoint of endpoints) {
    const domain = endpoint.contract.domain;
    byDomain.set(domain, [...(byDomain.get(domain) ?? []), endpoint]);
  }
  for (const [domain, own] of byDomain) {
    const service = await connection.services.add({
      name: domain,
      version: identity.version,
      description: `RPC handlers of the ${domain} domain`,
      queue: domain,
      metadata: {
        ...(identity.process === undefined ? {} : { process: identity.process }),
        ...(identity.release === undefined ? {} : { release: identity.release }),
        contracts: contractDigest(own.map((endpoint) => endpoint.contract)),
      },
    });
    started(service);
    void service.stopped.then((error) => {
      // nats.js stops a service by itself when an endpoint's subscription fails (refused by the
      // server's permissions): its other endpoints stop with it.
      if (error) log.error(`NATS service ${domain} stopped: ${error.message}`);
    });
    for (const endpoint of own) {
      const { subject } = endpoint.contract;
      const name = endpointNameOf(subject);
      service.addEndpoint(name, {
        subject,
        queue: domain,
        metadata: { contract: contractDigest([endpoint.contract]) },
        // nats.js wraps each message (`ServiceMsg`); we answer the core one it holds.
        handler: (error, msg) => {
          if (error) {
            log.error(`Endpoint ${subject} failed: ${error.message}`);
            return;
          }
          answer(coreMsgOf(msg), endpoint);
        },
      });
      endpoint.stats = takeOverEndpointStats(service, name);
      log.log(`Listening on ${subject} (rpc, service ${domain}, queue ${domain})`);
    }
  }
}
