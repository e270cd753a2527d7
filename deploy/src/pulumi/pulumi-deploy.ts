import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../cli/usage-error';
import { loadPlannedTopology } from '../plan/topology';
import { runCommand } from '../run/shell';

/** The stack config key the service programs build and tag the image from. */
export const GIT_SHA_KEY = 'service:gitSha';

/** A service's own stack on a Pulumi target. */
export interface PulumiStack {
  target: 'docker' | 'kubernetes';
  /** The service program: infra/<target>/service (of the checkout being deployed). */
  workDir: string;
  /** `<service>-<env>`, e.g. `chat-staging`: one stack per service and environment. */
  stackName: string;
}

/** One `pulumi up` of it, as `deploy run --target docker|kubernetes` asks for it. */
export interface PulumiDeploy extends PulumiStack {
  /** Set on the stack before `up`: the commit the image is built from and tagged with. */
  config: Record<string, { value: string }>;
}

/**
 * A service's stack in the target's service program of the tree at `root`. A stack without its
 * `Pulumi.<stack>.yaml` is refused with the file to add, rather than created bare (its replicas,
 * resources and secrets live in that file).
 */
export function pulumiStackOf(
  root: string,
  target: PulumiStack['target'],
  service: string,
  env: string,
): PulumiStack {
  const workDir = join(root, 'infra', target, 'service');
  const stackName = `${service}-${env}`;
  const stackFile = join('infra', target, 'service', `Pulumi.${stackName}.yaml`);
  if (!existsSync(join(root, stackFile))) {
    throw new UsageError(
      `${target}: no stack ${stackName}; add ${stackFile} (see docs/infrastructure.md)`,
    );
  }
  return { target, workDir, stackName };
}

/** Where a stack's process sits in its environment's topology. */
export interface StackPlacement {
  /** The topology the stack is configured for (`<project>:topology`, `services` when unset). */
  topology: string;
  /** The Nx project its image is built from, whose checks run: `monolith` for `chat-bots`. */
  host: string;
  /** What the gateway routes to it: the domains it hosts (the service itself for the gateway). */
  upstreams: string[];
}

/**
 * Reads the stack's topology from its `Pulumi.<stack>.yaml` (the same `topology` key the service
 * program reads): the process `service` must be one of it. Without the key it is today's default,
 * where every process is its own host and its own upstream.
 */
export function stackPlacement(stack: PulumiStack, service: string, root: string): StackPlacement {
  const file = join(stack.workDir, `Pulumi.${stack.stackName}.yaml`);
  const yaml = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const name = /^\s*[\w-]+:topology:\s*['"]?([a-z][a-z0-9-]*)['"]?\s*$/m.exec(yaml)?.[1];
  if (name === undefined) return { topology: 'services', host: service, upstreams: [service] };
  const topology = loadPlannedTopology(root, name);
  const process = topology.processes.find((candidate) => candidate.name === service);
  if (process === undefined) {
    throw new UsageError(
      `${stack.stackName}: topology ${name} has no process ${service}; it runs ${topology.processes.map((p) => p.name).join(', ')}`,
    );
  }
  return {
    topology: name,
    host: process.host,
    upstreams: process.domains.length > 0 ? process.domains : [service],
  };
}

/** What to run for a service on a Pulumi target: its stack, the commit as `service:gitSha`. */
export function pulumiDeployOf(
  root: string,
  target: PulumiStack['target'],
  service: string,
  env: string,
  sha: string,
): PulumiDeploy {
  return {
    ...pulumiStackOf(root, target, service, env),
    config: { [GIT_SHA_KEY]: { value: sha } },
  };
}

/**
 * The child process that runs an operation on a stack (`pulumi-stack.child.ts`): each in its own
 * process, so two services deploy at once without sharing a Pulumi workspace or its environment.
 * `toolRoot` is where `deploy` itself runs from; the stack may be in a worktree of another commit.
 */
export function pulumiChildCommand(
  toolRoot: string,
  operation: 'up' | 'deployed',
  stack: PulumiStack | PulumiDeploy,
): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: [
      '-r',
      join(toolRoot, 'deploy', 'register.cjs'),
      join(toolRoot, 'deploy', 'src', 'pulumi', 'pulumi-stack.child.ts'),
      operation,
      JSON.stringify(stack),
    ],
  };
}

/** What the pipeline asks of a service's stack; the children above by default, a fake in tests. */
export interface PulumiStacks {
  /** `pulumi up` with the deploy's config; rejects when it does not succeed. */
  up(deploy: PulumiDeploy): Promise<void>;
  /** The shas of the stack's successful updates, newest first (the first is what runs now). */
  deployed(stack: PulumiStack): Promise<string[]>;
}

export function pulumiInChildProcesses(toolRoot: string): PulumiStacks {
  return {
    up: (deploy) =>
      new Promise<void>((resolve, reject) => {
        const { command, args } = pulumiChildCommand(toolRoot, 'up', deploy);
        const child = spawn(command, args, { cwd: toolRoot, stdio: 'inherit' });
        child.once('error', reject);
        child.once('close', (code) =>
          code === 0 ? resolve() : reject(new Error(`pulumi up exited with ${code}`)),
        );
      }),
    deployed: async (stack) => {
      const { command, args } = pulumiChildCommand(toolRoot, 'deployed', stack);
      const output = await runCommand(command, args, { cwd: toolRoot, capture: true });
      return JSON.parse(output.trim().split('\n').at(-1) ?? '[]') as string[];
    },
  };
}
