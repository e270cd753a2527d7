import { spawnSync } from 'node:child_process';
import { MissingToolError, UsageError } from './cli/usage-error';

export const TARGETS = ['local', 'docker', 'kubernetes'] as const;
export type TargetName = (typeof TARGETS)[number];

/** Whether a command is on PATH. */
function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Refuses a target this machine cannot deploy to, saying exactly what is missing: `docker` and
 * `kubernetes` deploy through the Pulumi Automation API, which drives the `pulumi` CLI, onto a
 * Docker engine or a cluster reached with kubectl's configuration.
 */
export async function requireTarget(target: string): Promise<TargetName> {
  if (!(TARGETS as readonly string[]).includes(target)) {
    throw new UsageError(`--target ${target}: choose from ${TARGETS.join(', ')}`);
  }
  if (target === 'local') return target;
  const missing: string[] = [];
  if (!onPath('pulumi'))
    missing.push('the Pulumi CLI (`pulumi` on PATH; see pulumi.com/docs/install)');
  if (target === 'docker' && !onPath('docker'))
    missing.push('a Docker engine (`docker` on PATH, its daemon running)');
  if (target === 'kubernetes' && !onPath('kubectl'))
    missing.push('kubectl and a cluster in its configuration');
  if (missing.length > 0) {
    throw new MissingToolError(
      `the ${target} target needs ${missing.join(' and ')}, which this machine does not have`,
    );
  }
  throw new MissingToolError(
    `the ${target} target is not built yet: only local deploys today (docs/deploy.md)`,
  );
}
