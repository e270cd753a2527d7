import { Listr } from 'listr2';
import { userInfo, hostname } from 'node:os';
import { join } from 'node:path';
import { loadLocalEnvironment, localProcessOf, serviceEnv } from '../local/local-environment';
import { LocalTarget } from '../local/local-target';
import { resolveCommit } from '../plan/git';
import { hostOf, isAlive, type Release, ReleaseStore } from '../releases/release-store';
import { type ReleaseChanges, releaseChanges } from '../report/release-report';
import { type Checkout, checkoutOf } from './checkout';
import { packageDir, packageRelease, releaseDir, reusablePackage } from './package-release';
import { runCommand } from './shell';
import { runChecks, STEP_LIST_OPTIONS, StepRecorder } from './steps';

export interface RunOptions {
  env: string;
  sha?: string;
  config?: string;
  /** Skip lint, typecheck and test (CI ran them on this sha already). */
  skipChecks?: boolean;
}

/** A step of `deploy run` failed: the message names it; exit code 1. */
export class StepFailed extends Error {
  override readonly name = 'StepFailed';
  constructor(
    readonly step: string,
    readonly reason: string,
  ) {
    super(`deploy run failed at "${step}": ${reason}`);
  }
}

interface Context {
  release: Release;
  previous?: Release;
  target: LocalTarget;
  checkout?: Checkout;
  appDir?: string;
  started?: { pid: number; url: string };
}

/** Records a release that never went live as failed at `step`, and returns the error to throw. */
export function failRelease(
  store: ReleaseStore,
  id: string,
  step: string,
  error: unknown,
): StepFailed {
  const reason = (error as Error).message;
  store.update(id, {
    result: 'failed',
    failedStep: step,
    reason,
    finishedAt: new Date().toISOString(),
  });
  return new StepFailed(step, reason);
}

export function deployedBy(): string {
  return `${process.env['GITHUB_ACTOR'] ?? userInfo().username}@${hostname()}`;
}

/** One line for the step list: how much the release changes, or why that is not known. */
function describeChanges(changes: ReleaseChanges): string {
  if (changes.unavailable !== undefined) return `no report: ${changes.unavailable}`;
  if (changes.report === undefined)
    return `nothing changed for it since ${changes.base.slice(0, 12)}`;
  const points = changes.report.attention.length;
  return `changes since ${changes.base.slice(0, 12)} recorded, ${points} point${points === 1 ? '' : 's'} to look at`;
}

/** Marks a release whose deploy died midway `aborted` and stops its process, so a rerun starts clean. */
export async function recoverAborted(
  store: ReleaseStore,
  service: string,
  target: Pick<LocalTarget, 'stop'>,
): Promise<Release | undefined> {
  const latest = store.latest(service);
  if (latest?.result !== 'deploying' || isAlive(latest.deployerPid)) return undefined;
  await target.stop(latest.pid);
  return store.update(latest.id, {
    result: 'aborted',
    finishedAt: new Date().toISOString(),
    reason: `its deploy (process ${latest.deployerPid}) stopped midway; cleaned up by the next run`,
  });
}

/**
 * `deploy run <service> --env <env>` on the `local` target: checks → build → package → start next
 * to the running release → switch the gateway → health gate → drain the old one, or roll back.
 *
 * `service` is a process of the environment's topology. Its host (the Nx project under services/)
 * is what is checked, built and packaged — `monolith` for `chat-bots` in `mixed` — while its
 * releases, lock and logs are the process's own.
 */
export async function runCommandLocal(
  workspaceRoot: string,
  service: string,
  options: RunOptions,
): Promise<Release> {
  const sha = await resolveCommit(workspaceRoot, options.sha ?? 'HEAD', '--sha');
  const environment = loadLocalEnvironment(workspaceRoot, options.env, options.config);
  // Which host it runs and which domains it hosts in the environment's topology (the gateway
  // routes it takes over); a name the topology does not run is refused here, naming what it runs.
  const placement = localProcessOf(workspaceRoot, environment, service);
  const { host, upstreams } = placement;
  const store = ReleaseStore.forWorkspace(workspaceRoot, options.env);
  const target = await LocalTarget.open(environment);
  try {
    return await store.withLock(service, async () => {
      const aborted = await recoverAborted(store, service, target);
      if (aborted) process.stdout.write(`Cleaned up ${aborted.id}: ${aborted.reason}\n`);
      const previous = store.live(service);
      const release = store.create({
        service,
        host,
        env: options.env,
        sha,
        deployedBy: deployedBy(),
        previousId: previous?.id,
      });
      const context: Context = { release, previous, target };
      // Digests the host's package of this sha had before (newest first), to reuse it: a package
      // is the host's, so a `monolith` release's serves `chat-bots` too.
      const earlierDigests = store
        .all()
        .filter(
          (r) =>
            hostOf(r) === host && r.sha === sha && r.digest !== undefined && r.id !== release.id,
        )
        .map((r) => r.digest as string)
        .reverse();
      const reusable = reusablePackage(workspaceRoot, host, sha, earlierDigests);
      const steps = new StepRecorder<Context>('checkout');
      const tasks = new Listr<Context>(
        [
          {
            ...steps.step('checkout', async (ctx) => {
              ctx.checkout = await checkoutOf(workspaceRoot, sha);
              return ctx.checkout.describe;
            }),
            skip: () => (options.skipChecks && reusable ? 'nothing to check or build' : false),
          },
          {
            ...steps.step('report', async (ctx) => {
              const changes = await releaseChanges((ctx.checkout as Checkout).root, {
                base: (previous as Release).sha,
                head: sha,
                topology: environment.topology,
                host,
              });
              ctx.release = store.update(ctx.release.id, { changes });
              return describeChanges(changes);
            }),
            skip: () => {
              if (previous === undefined) return 'first release: nothing to compare with';
              if (previous.sha === sha) return `${sha.slice(0, 12)} is live already: no change`;
              return options.skipChecks && reusable ? 'no checkout to report from' : false;
            },
          },
          {
            ...steps.step('checks', (ctx) =>
              runChecks((ctx.checkout as Checkout).root, host, sha, previous?.sha),
            ),
            skip: () => (options.skipChecks ? 'checks skipped (--skip-checks)' : false),
          },
          {
            ...steps.step('build', async (ctx) => {
              await runCommand('npx', ['nx', 'build', host], {
                cwd: (ctx.checkout as Checkout).root,
              });
              return host === service ? undefined : `${host}, the host of ${service}`;
            }),
            skip: () =>
              reusable
                ? `reusing the ${host} package already built for ${sha.slice(0, 12)}`
                : false,
          },
          steps.step('package', async (ctx) => {
            if (reusable) {
              ctx.appDir = reusable.appDir;
              ctx.release = store.update(ctx.release.id, { digest: reusable.digest });
              return `reused the ${host} package, digest ${reusable.digest.slice(0, 12)} (the files are unchanged)`;
            }
            // Repackaging would replace the files under a process that serves now (this one's
            // previous release, or another process of the same host).
            const serving = store
              .all()
              .find(
                (r) => hostOf(r) === host && r.sha === sha && r.result === 'live' && isAlive(r.pid),
              );
            if (serving !== undefined) {
              throw new Error(
                `${sha.slice(0, 12)} is live (${serving.service}) from ${packageDir(workspaceRoot, host, sha)} ` +
                  'and its files no longer match the digest recorded for them; roll back or deploy another commit first',
              );
            }
            const packaged = await packageRelease(
              workspaceRoot,
              (ctx.checkout as Checkout).root,
              host,
              sha,
            );
            ctx.appDir = packaged.appDir;
            ctx.release = store.update(ctx.release.id, { digest: packaged.digest });
            return `digest ${packaged.digest.slice(0, 12)}, dependencies ${packaged.reusedDependencies ? 'reused' : 'installed'}`;
          }),
          steps.step('start', async (ctx) => {
            const env = {
              ...serviceEnv(workspaceRoot, environment, placement),
              SERVICE_RELEASE: sha,
            };
            ctx.started = await target.start(
              ctx.appDir as string,
              join(releaseDir(workspaceRoot, service, sha), 'logs'),
              env,
            );
            ctx.release = store.update(ctx.release.id, ctx.started);
            await target.waitReady(ctx.started.url, ctx.started.pid);
            const as = host === service ? '' : `${host} as ${service}, `;
            return `${as}ready at ${ctx.started.url} (pid ${ctx.started.pid})`;
          }),
          steps.step('switch', async (ctx) => {
            await target.switchTo(upstreams, [(ctx.started as { url: string }).url], sha);
            return `the gateway sends ${upstreams.join(', ')} to ${sha.slice(0, 12)}`;
          }),
          steps.step('health gate', async (ctx) => {
            const started = ctx.started as { pid: number; url: string };
            const problem = await target.gate(upstreams, started.url, started.pid);
            if (problem === undefined) return `healthy for ${environment.gateSeconds} s`;
            // Back to what served before, then the failed release goes.
            if (ctx.previous?.url)
              await target.switchTo(upstreams, [ctx.previous.url], ctx.previous.sha);
            else await target.switchToConfigured(upstreams);
            await target.stop(started.pid);
            ctx.release = store.update(ctx.release.id, {
              result: 'rolled-back',
              failedStep: 'health gate',
              reason: problem,
              finishedAt: new Date().toISOString(),
            });
            throw new Error(
              `${problem}; rolled back to ${ctx.previous ? ctx.previous.sha.slice(0, 12) : 'the configured upstreams'}`,
            );
          }),
          steps.step('drain', async (ctx) => {
            if (ctx.previous === undefined) return 'no earlier release to stop';
            await target.stop(ctx.previous.pid);
            store.update(ctx.previous.id, { result: 'superseded' });
            return `stopped ${ctx.previous.sha.slice(0, 12)} (pid ${ctx.previous.pid}) after its requests finished`;
          }),
        ],
        STEP_LIST_OPTIONS,
      );
      try {
        await tasks.run(context);
      } catch (error) {
        // Rolled back by the gate: recorded already. Otherwise it was never switched to: stop it;
        // what served before goes on serving.
        if (context.release.result !== 'deploying')
          throw new StepFailed(steps.current, (error as Error).message);
        await target.stop(context.started?.pid);
        throw failRelease(store, context.release.id, steps.current, error);
      } finally {
        await context.checkout?.remove().catch(() => undefined);
      }
      return store.update(context.release.id, {
        result: 'live',
        finishedAt: new Date().toISOString(),
      });
    });
  } finally {
    await target.close();
  }
}
