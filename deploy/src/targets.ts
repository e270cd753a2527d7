import { spawnSync } from 'node:child_process';
import { MissingToolError, UsageError } from './cli/usage-error';

export const TARGETS = ['local', 'docker', 'kubernetes'] as const;
export type TargetName = (typeof TARGETS)[number];

/** What a Pulumi target needs on the machine running `deploy`. */
export type Requirement = 'pulumi' | 'docker-engine' | 'kube-context';

const DESCRIBED: Record<Requirement, string> = {
  pulumi: 'the Pulumi CLI (`pulumi` on PATH; see pulumi.com/docs/install)',
  'docker-engine': 'a running Docker engine (`docker info` must answer)',
  'kube-context': 'kubectl with a current context (`kubectl config current-context`)',
};

/** Asks the machine: is the tool there and working? Each probe takes a moment at most. */
export function probeMachine(requirement: Requirement): boolean {
  const run = (command: string, args: string[]): boolean =>
    spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
  switch (requirement) {
    case 'pulumi':
      return run('pulumi', ['version']);
    case 'docker-engine':
      return run('docker', ['info', '--format', '{{.ServerVersion}}']);
    case 'kube-context':
      return run('kubectl', ['config', 'current-context']);
  }
}

/**
 * Refuses a target this machine cannot deploy to, saying exactly what is missing: `docker` and
 * `kubernetes` deploy through the Pulumi Automation API, which drives the `pulumi` CLI, onto a
 * Docker engine or the cluster of kubectl's current context.
 */
export async function requireTarget(
  target: string,
  probe: (requirement: Requirement) => boolean = probeMachine,
): Promise<TargetName> {
  if (!(TARGETS as readonly string[]).includes(target)) {
    throw new UsageError(`--target ${target}: choose from ${TARGETS.join(', ')}`);
  }
  if (target === 'local') return target;
  const needs: Requirement[] = ['pulumi', target === 'docker' ? 'docker-engine' : 'kube-context'];
  const missing = needs.filter((requirement) => !probe(requirement));
  if (missing.length > 0) {
    throw new MissingToolError(
      `the ${target} target needs ${missing.map((requirement) => DESCRIBED[requirement]).join(' and ')}, ` +
        'which this machine does not have',
    );
  }
  return target as TargetName;
}
