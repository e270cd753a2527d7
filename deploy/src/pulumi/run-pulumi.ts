import { spawn } from 'node:child_process';
import { Listr } from 'listr2';
import { UsageError } from '../cli/usage-error';
import { headCommit } from '../plan/git';
import { WorkspaceGraph } from '../plan/workspace-graph';
import { type Release, ReleaseStore } from '../releases/release-store';
import { deployedBy, failRelease } from '../run/run.command';
import { runChecks, STEP_LIST_OPTIONS } from '../run/steps';
import { pulumiChildCommand, pulumiDeployOf } from './pulumi-deploy';

/**
 * `deploy run <service> --target docker|kubernetes`: checks, then `pulumi up` of the service's own
 * stack in a child process. The image is built by the stack (docker.Image, tagged with the sha);
 * the platform's rolling update and readiness probes replace the containers one by one.
 */
export async function runPulumi(
  workspaceRoot: string,
  service: string,
  options: { env: string; target: 'docker' | 'kubernetes'; sha: string; skipChecks?: boolean },
): Promise<Release> {
  const head = await headCommit(workspaceRoot);
  if (options.sha !== head) {
    // The stack builds the image from the working tree: it must be the commit named.
    throw new UsageError(
      `--sha ${options.sha.slice(0, 12)} is not the commit checked out (${head.slice(0, 12)}): check it out first`,
    );
  }
  const deploy = pulumiDeployOf(workspaceRoot, options.target, service, options.env, options.sha);
  const graph = await WorkspaceGraph.load();
  const store = ReleaseStore.forWorkspace(workspaceRoot, `${options.target}-${options.env}`);
  return store.withLock(service, async () => {
    const previous = store.live(service);
    const release = store.create({
      service,
      env: options.env,
      sha: options.sha,
      deployedBy: deployedBy(),
      previousId: previous?.id,
    });
    let step = 'checks';
    const tasks = new Listr(
      [
        {
          title: 'checks',
          skip: () => (options.skipChecks ? 'checks skipped (--skip-checks)' : false),
          task: async () => {
            await runChecks(workspaceRoot, graph, service);
          },
        },
        {
          title: `pulumi up ${deploy.stackName} (${deploy.target})`,
          task: async () => {
            step = 'pulumi up';
            const { command, args } = pulumiChildCommand(workspaceRoot, deploy);
            await new Promise<void>((resolve, reject) => {
              const child = spawn(command, args, { cwd: workspaceRoot, stdio: 'inherit' });
              child.once('error', reject);
              child.once('close', (code) =>
                code === 0 ? resolve() : reject(new Error(`pulumi up exited with ${code}`)),
              );
            });
          },
        },
      ],
      STEP_LIST_OPTIONS,
    );
    try {
      await tasks.run();
    } catch (error) {
      throw failRelease(store, release.id, step, error);
    }
    if (previous) store.update(previous.id, { result: 'superseded' });
    return store.update(release.id, { result: 'live', finishedAt: new Date().toISOString() });
  });
}
