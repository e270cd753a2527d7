import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { installProductionDependencies } from './native-addons';
import { runCommand } from './shell';

export interface Packaged {
  appDir: string;
  /** sha256 over the folder's files (paths and contents), node_modules left out. */
  digest: string;
  /** Whether node_modules came from an earlier release with the same lockfile. */
  reusedDependencies: boolean;
}

/**
 * The installed package of an earlier release of the same host and sha, when its files still have
 * the digest recorded for it: a rerun (after an aborted or failed deploy), or another process of
 * the same host (`chat-bots` after `monolith`), ships it again instead of rebuilding what cannot
 * differ.
 */
export function reusablePackage(
  workspaceRoot: string,
  host: string,
  sha: string,
  digests: string[],
): { appDir: string; digest: string } | undefined {
  const appDir = packageDir(workspaceRoot, host, sha);
  if (
    digests.length === 0 ||
    !existsSync(join(appDir, 'main.js')) ||
    !existsSync(join(appDir, 'node_modules'))
  ) {
    return undefined;
  }
  const digest = digestOf(appDir);
  return digests.includes(digest) ? { appDir, digest } : undefined;
}

/**
 * `.switchboard/releases/<name>/<sha>/`: a process's releases of a sha keep their `logs/` in its
 * name's folder; a host's package of a sha is `app/` in the host's.
 */
export function releaseDir(workspaceRoot: string, name: string, sha: string): string {
  return join(workspaceRoot, '.switchboard', 'releases', name, sha);
}

/**
 * `.switchboard/releases/<host>/<sha>/app`: the installed package of a host (an Nx project under
 * services/) at a sha, whichever process of a topology runs it.
 */
export function packageDir(workspaceRoot: string, host: string, sha: string): string {
  return join(releaseDir(workspaceRoot, host, sha), 'app');
}

/**
 * Copies the self-contained `dist/services/<host>/` built in `buildRoot` (the workspace, or the
 * release's worktree) into the host's package folder for `sha` and installs its
 * production dependencies with `npm ci --omit=dev` from its own lockfile — once per lockfile: a
 * later release with the same lockfile gets hard links to the installed tree, as a CI cache would.
 * Native addons the workspace has already compiled for this Node are copied, not compiled again.
 */
export async function packageRelease(
  workspaceRoot: string,
  buildRoot: string,
  host: string,
  sha: string,
): Promise<Packaged> {
  const dist = join(buildRoot, 'dist', 'services', host);
  if (!existsSync(join(dist, 'main.js')))
    throw new Error(
      `${relative(workspaceRoot, dist)}/main.js is missing: the build did not produce it`,
    );
  const appDir = packageDir(workspaceRoot, host, sha);
  rmSync(appDir, { recursive: true, force: true });
  cpSync(dist, appDir, { recursive: true });
  const digest = digestOf(appDir);

  const lockDigest = createHash('sha256')
    .update(readFileSync(join(appDir, 'package-lock.json')))
    .digest('hex');
  const cache = join(
    workspaceRoot,
    '.switchboard',
    'releases',
    '.dependencies',
    lockDigest.slice(0, 16),
  );
  const reusedDependencies = existsSync(join(cache, 'node_modules'));
  if (!reusedDependencies) {
    await installProductionDependencies(appDir, workspaceRoot);
    // Into a staging folder renamed at the end: a half-copied cache is never taken for a whole one.
    const staging = `${cache}.${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    await runCommand('cp', ['-a', join(appDir, 'node_modules'), staging], { cwd: appDir });
    rmSync(cache, { recursive: true, force: true });
    renameSync(staging, cache);
  } else {
    await runCommand('cp', ['-al', join(cache, 'node_modules'), join(appDir, 'node_modules')], {
      cwd: appDir,
    });
  }
  return { appDir, digest, reusedDependencies };
}

export function digestOf(folder: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (name === 'node_modules') continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(relative(folder, path)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  walk(folder);
  return hash.digest('hex');
}
