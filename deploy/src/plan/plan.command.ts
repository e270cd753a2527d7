import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { UsageError } from '../cli/usage-error';
import { contractChanges, type ManifestFiles } from './contract-changes';
import { changedFiles, headCommit, resolveCommit } from './git';
import { type MessagingManifest, parseManifest, readManifest } from './messaging-manifest';
import { computePlan, neverDeployed, type Plan, type PlanInput, type Reason } from './plan';
import { listStacks } from './stacks';
import { loadPlannedTopology } from './topology';
import { WorkspaceGraph } from './workspace-graph';

export interface PlanOptions {
  base?: string;
  head?: string;
  json?: boolean;
  /** The topology the environments run (default `services`): its deployables are planned. */
  topology?: string;
}

export const MANIFEST = 'infra/generated/messaging-manifest.json';

/**
 * `deploy plan --base <ref> [--head <ref>]`. The project graph and the contracts are read from the
 * working tree, so `--head` must be the commit checked out (it defaults to it); `--base` has no
 * default on purpose: a plan against a guessed base (`HEAD~1`) silently skips whatever came before.
 */
export async function planCommand(workspaceRoot: string, options: PlanOptions): Promise<Plan> {
  return computePlan(await planInputs(workspaceRoot, options));
}

/**
 * What a plan is computed from — the diff, the Nx graph, the manifests, the contracts comparison —
 * for the plan and for `deploy report`, which reads the same and more. With `manifestFiles`, the
 * contracts comparison also says which changes break a user of the base's version.
 */
export async function planInputs(
  workspaceRoot: string,
  options: PlanOptions,
  manifestFiles?: (base: string) => ManifestFiles,
): Promise<PlanInput> {
  if (options.base === undefined || options.base.trim() === '') {
    throw new UsageError(
      '--base <ref> is required: the last commit deployed (in CI, the base nx-set-shas finds). ' +
        'There is no default: guessing one would skip changes.',
    );
  }
  const topology = loadPlannedTopology(workspaceRoot, options.topology ?? 'services');
  const checkedOut = await headCommit(workspaceRoot);
  const base = await resolveCommit(workspaceRoot, options.base, '--base');
  const head = await resolveCommit(workspaceRoot, options.head ?? 'HEAD', '--head');
  if (head !== checkedOut) {
    throw new UsageError(
      `--head ${options.head} is ${head.slice(0, 12)}, but ${checkedOut.slice(0, 12)} is checked out: ` +
        'the plan reads the project graph from the working tree, so check out the head first.',
    );
  }
  const files = await changedFiles(workspaceRoot, base, head);
  const graph = await WorkspaceGraph.load();
  const contractsProject = graph.projectOfRoot('libs/contracts');
  const touchesContracts = files.some(
    (file) => graph.projectOf(file) === contractsProject && neverDeployed(file) === undefined,
  );
  return {
    base,
    head,
    changedFiles: files,
    graph,
    manifests: [readManifest(join(workspaceRoot, MANIFEST)), ...baseManifest(workspaceRoot, base)],
    contracts: touchesContracts
      ? await contractChanges(workspaceRoot, base, graph, manifestFiles?.(base))
      : undefined,
    stacks: listStacks(workspaceRoot),
    topology,
  };
}

/** The manifest as committed at `base`, when it existed then. */
export function baseManifest(workspaceRoot: string, base: string): MessagingManifest[] {
  const shown = spawnSync('git', ['show', `${base}:${MANIFEST}`], {
    cwd: workspaceRoot,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  return shown.status === 0 ? [parseManifest(shown.stdout, `${base}:${MANIFEST}`)] : [];
}

function describeReason(reason: Reason): string {
  if (reason.subject !== undefined) return `${reason.subject} (it ${reason.use}) — ${reason.file}`;
  const path = reason.via.join(' → ');
  if (reason.uses !== undefined) return `${reason.uses} changed, named in ${path} — ${reason.file}`;
  return `${reason.file} (${path})`;
}

/** The plan for a person: services with their reasons, stacks, and what was left out and why. */
export function renderPlan(plan: Plan): string {
  const lines = [
    `Deploy plan ${plan.base.slice(0, 12)}...${plan.head.slice(0, 12)} (topology ${plan.topology})`,
    '',
  ];
  if (plan.services.length === 0) lines.push('No service to redeploy.');
  for (const service of plan.services) {
    lines.push(`${service.name}`);
    for (const reason of service.reasons.slice(0, 10)) lines.push(`  ${describeReason(reason)}`);
    if (service.reasons.length > 10) lines.push(`  … and ${service.reasons.length - 10} more`);
  }
  if (plan.outsideTopology.length > 0) {
    lines.push(
      '',
      `Reached, but not run by topology ${plan.topology}: ${plan.outsideTopology.join(', ')}` +
        ' (plan with --topology <name> for an environment running them)',
    );
  }
  if (plan.stacks.length > 0) {
    lines.push('', 'Pulumi stacks whose program or config changed:');
    for (const stack of plan.stacks) {
      lines.push(`  ${stack.target}/${stack.program} ${stack.stack}  (${stack.files.join(', ')})`);
    }
  }
  if (plan.ignored.length > 0) {
    lines.push('', 'Changed, deploys nothing:');
    for (const { file, why } of plan.ignored) lines.push(`  ${file}  — ${why}`);
  }
  return `${lines.join('\n')}\n`;
}
