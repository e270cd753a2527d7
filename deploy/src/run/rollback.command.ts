import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../cli/usage-error';
import { loadLocalEnvironment, localProcessOf, serviceEnv } from '../local/local-environment';
import { LocalTarget } from '../local/local-target';
import { hostOf, type Release, ReleaseStore } from '../releases/release-store';
import { packageDir, releaseDir } from './package-release';
import { deployedBy, failRelease, recoverAborted } from './run.command';

/**
 * `deploy rollback <service> --env <env>`: back to the release that was live before the current
 * one, from its installed folder (no rebuild): started next to the current one, traffic switched
 * once it is ready, then the current one drained and stopped — the same cut-over as a deploy.
 * `service` is a process of the environment's topology: `chat-bots` goes back to the monolith
 * package its previous release ran, on both its domains.
 */
export async function rollbackLocal(
  workspaceRoot: string,
  service: string,
  options: { env: string; config?: string },
): Promise<Release> {
  const environment = loadLocalEnvironment(workspaceRoot, options.env, options.config);
  const placement = localProcessOf(workspaceRoot, environment, service);
  const store = ReleaseStore.forWorkspace(workspaceRoot, options.env);
  const target = await LocalTarget.open(environment);
  try {
    return await store.withLock(service, async () => {
      await recoverAborted(store, service, target);
      const live = store.live(service);
      if (live === undefined)
        throw new UsageError(`${service} has no live release in ${options.env}`);
      const previous = live.previousId === undefined ? undefined : store.get(live.previousId);
      const appDir = previous && packageDir(workspaceRoot, hostOf(previous), previous.sha);
      if (previous === undefined || appDir === undefined || !existsSync(join(appDir, 'main.js'))) {
        throw new UsageError(
          `${service} in ${options.env}: no earlier release installed to roll back to`,
        );
      }
      const release = store.create({
        service,
        host: hostOf(previous),
        env: options.env,
        sha: previous.sha,
        digest: previous.digest,
        deployedBy: deployedBy(),
        // A second rollback goes further back, not forth again.
        previousId: previous.previousId,
        reason: `rollback of ${live.id}`,
      });
      let step = 'start';
      try {
        const env = {
          ...serviceEnv(workspaceRoot, environment, placement),
          SERVICE_RELEASE: previous.sha,
        };
        const started = await target.start(
          appDir,
          join(releaseDir(workspaceRoot, service, previous.sha), 'logs'),
          env,
        );
        store.update(release.id, started);
        await target.waitReady(started.url, started.pid).catch(async (error: Error) => {
          await target.stop(started.pid);
          throw error;
        });
        step = 'switch';
        await target.switchTo(placement.upstreams, [started.url], previous.sha);
        step = 'drain';
        await target.stop(live.pid);
        store.update(live.id, {
          result: 'rolled-back',
          reason: `deploy rollback to ${previous.sha.slice(0, 12)}`,
        });
        return store.update(release.id, { result: 'live', finishedAt: new Date().toISOString() });
      } catch (error) {
        throw failRelease(store, release.id, step, error);
      }
    });
  } finally {
    await target.close();
  }
}
