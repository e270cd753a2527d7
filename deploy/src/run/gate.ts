import { setTimeout as sleep } from 'node:timers/promises';

export const POLL_MS = 250;

/** What the gateway's `/health/ready` says of one service (see libs/gateway `UpstreamsHealth`). */
export interface UpstreamState {
  status?: 'up' | 'down';
  release?: string;
  traffic?: { requests: number; serverErrors: number };
}

export interface GatewayReadiness {
  details?: { upstreams?: { revision?: number } & Record<string, unknown> };
}

/** The health gate's thresholds, the same for every target. */
export interface GateRules {
  /** How long a new release must stay healthy under traffic. */
  gateSeconds: number;
  /** Largest share of 5xx answers accepted, of at least `gateMinRequests`. */
  gateMaxErrorRate: number;
  gateMinRequests: number;
}

export async function gatewayReadiness(gateway: string): Promise<GatewayReadiness | undefined> {
  try {
    const response = await fetch(`${gateway}/health/ready`, { signal: AbortSignal.timeout(2_000) });
    return (await response.json()) as GatewayReadiness;
  } catch {
    return undefined;
  }
}

/**
 * What a gateway's readiness says of the upstreams a process is to the gateway (a process hosting
 * several domains is several of them): the first that is not up, and their answers summed.
 */
export function upstreamsState(
  readiness: GatewayReadiness,
  names: readonly string[],
): { down?: string; traffic: { requests: number; serverErrors: number } } {
  const traffic = { requests: 0, serverErrors: 0 };
  let down: string | undefined;
  for (const name of names) {
    const state = readiness.details?.upstreams?.[name] as UpstreamState | undefined;
    if (state?.status !== 'up') down ??= name;
    traffic.requests += state?.traffic?.requests ?? 0;
    traffic.serverErrors += state?.traffic?.serverErrors ?? 0;
  }
  return { down, traffic };
}

/** Why a count of answers fails the gate (too many 5xx), or undefined when it passes. */
export function trafficProblem(
  traffic: { requests: number; serverErrors: number } | undefined,
  rules: GateRules,
): string | undefined {
  if (traffic === undefined || traffic.requests < rules.gateMinRequests) return undefined;
  const rate = traffic.serverErrors / traffic.requests;
  if (rate <= rules.gateMaxErrorRate) return undefined;
  return (
    `${traffic.serverErrors} of ${traffic.requests} requests answered 5xx ` +
    `(${(rate * 100).toFixed(1)} % > ${(rules.gateMaxErrorRate * 100).toFixed(1)} %)`
  );
}

/**
 * The gate of a platform that switches traffic itself (the Pulumi targets: a rolling update
 * behind a stable service address): for `gateSeconds`, every gateway must see the service up, and
 * the answers it counted for it since the gate began must hold no more 5xx than the rules allow.
 * Its counters run since the gateway started, so the gate judges their growth, per gateway.
 */
export async function gateThroughGateways(
  gateways: string[],
  upstreams: string | readonly string[],
  rules: GateRules,
): Promise<string | undefined> {
  // A process hosting several domains is several upstreams of the gateway: all must be up, and
  // their answers are judged together.
  const names = typeof upstreams === 'string' ? [upstreams] : upstreams;
  const baseline = new Map<string, { requests: number; serverErrors: number }>();
  const until = Date.now() + rules.gateSeconds * 1_000;
  do {
    for (const gateway of gateways) {
      const readiness = await gatewayReadiness(gateway);
      if (readiness === undefined) return `the gateway ${gateway} did not answer /health/ready`;
      const { down, traffic: now } = upstreamsState(readiness, names);
      if (down !== undefined) return `the gateway ${gateway} sees ${down} down`;
      const start = baseline.get(gateway);
      if (start === undefined) {
        baseline.set(gateway, now);
        continue;
      }
      const problem = trafficProblem(
        {
          requests: now.requests - start.requests,
          serverErrors: now.serverErrors - start.serverErrors,
        },
        rules,
      );
      if (problem) return `${problem} through ${gateway}`;
    }
    await sleep(POLL_MS);
  } while (Date.now() < until);
  return undefined;
}
