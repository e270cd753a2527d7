import * as Bots from './bots';
import * as Calls from './calls';
import * as Chat from './chat';
import { type EventContract, type PushContract, type RpcContract } from './contract';
import * as Gateway from './gateway';
import * as Stories from './stories';

export type AnyContract = RpcContract | EventContract | PushContract;

/**
 * Every domain's namespace, in the platform's order: streams are defined, and manifests list
 * them, in it. A new domain's contracts are added here, and nowhere else.
 */
const NAMESPACES = [Chat, Stories, Calls, Bots, Gateway] as const;

/** The names of the domains the contracts define (`Chat.DOMAIN`, …), in the platform's order. */
export const DOMAINS: readonly string[] = NAMESPACES.map((namespace) => namespace.DOMAIN);

/** Every RPC, event and push contract of every domain. */
export function allContracts(): AnyContract[] {
  return NAMESPACES.flatMap((namespace) =>
    Object.values(namespace as Record<string, unknown>).filter((value): value is AnyContract =>
      ['rpc', 'event', 'push'].includes((value as { kind?: unknown } | null)?.kind as string),
    ),
  );
}

/** The contracts a domain owns: the subjects whose second token is its name. */
export function contractsOf(domain: string): AnyContract[] {
  return allContracts().filter((contract) => contract.domain === domain);
}

/** The domains that publish events, in the platform's order: one JetStream stream each. */
export function eventDomains(): string[] {
  return DOMAINS.filter((domain) =>
    contractsOf(domain).some((contract) => contract.kind === 'event'),
  );
}
