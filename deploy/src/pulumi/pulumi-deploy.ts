import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../cli/usage-error';

/** One `pulumi up` of a service's own stack, as `deploy run --target docker|kubernetes` asks for it. */
export interface PulumiDeploy {
  target: 'docker' | 'kubernetes';
  /** The service program: infra/<target>/service. */
  workDir: string;
  /** `<service>-<env>`, e.g. `chat-staging`: one stack per service and environment. */
  stackName: string;
  /** Set on the stack before `up`: the commit the image is built from and tagged with. */
  config: Record<string, { value: string }>;
}

/**
 * What to run for a service on a Pulumi target: its stack in the target's service program, the
 * commit as `service:gitSha`. A stack without its `Pulumi.<stack>.yaml` is refused with the file
 * to add, rather than created bare (its replicas, resources and secrets live in that file).
 */
export function pulumiDeployOf(
  workspaceRoot: string,
  target: PulumiDeploy['target'],
  service: string,
  env: string,
  sha: string,
): PulumiDeploy {
  const workDir = join(workspaceRoot, 'infra', target, 'service');
  const stackName = `${service}-${env}`;
  const stackFile = join('infra', target, 'service', `Pulumi.${stackName}.yaml`);
  if (!existsSync(join(workspaceRoot, stackFile))) {
    throw new UsageError(
      `${target}: no stack ${stackName}; add ${stackFile} (see docs/infrastructure.md)`,
    );
  }
  return { target, workDir, stackName, config: { 'service:gitSha': { value: sha } } };
}

/**
 * The child process that runs it (`pulumi-up.child.ts`): each deploy in its own process, so two
 * services deploy at once without sharing a Pulumi workspace or its environment.
 */
export function pulumiChildCommand(
  workspaceRoot: string,
  deploy: PulumiDeploy,
): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: [
      '-r',
      join(workspaceRoot, 'deploy', 'register.cjs'),
      join(workspaceRoot, 'deploy', 'src', 'pulumi', 'pulumi-up.child.ts'),
      JSON.stringify(deploy),
    ],
  };
}
