import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { headCommit } from '../plan/git';
import { runCommand } from './shell';

/** The tree a release is checked and built from: the workspace itself, or a worktree of its sha. */
export interface Checkout {
  root: string;
  /** What the step display says of it. */
  describe: string;
  remove(): Promise<void>;
}

/** `.switchboard/worktrees/<sha>/`: a release's checkout while it is built. */
export function worktreeDir(workspaceRoot: string, sha: string): string {
  return join(workspaceRoot, '.switchboard', 'worktrees', sha);
}

/**
 * A tree holding exactly the commit `sha`: the workspace when it is checked out and clean (so Nx's
 * cache and `dist/` are shared), otherwise a git worktree of it. The worktree gets the workspace's
 * `node_modules` when both lockfiles are the same, else its own `npm ci`. A worktree left by a
 * deploy that died is replaced, so a rerun starts from the commit and nothing else.
 */
export async function checkoutOf(workspaceRoot: string, sha: string): Promise<Checkout> {
  const git = (...args: string[]): Promise<string> =>
    runCommand('git', args, { cwd: workspaceRoot });
  if (sha === (await headCommit(workspaceRoot)) && (await trackedChanges(workspaceRoot)) === '') {
    return {
      root: workspaceRoot,
      describe: 'the workspace',
      remove: () => Promise.resolve(),
    };
  }
  const root = worktreeDir(workspaceRoot, sha);
  if (existsSync(root)) {
    await git('worktree', 'remove', '--force', root).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  }
  await git('worktree', 'prune');
  mkdirSync(join(root, '..'), { recursive: true });
  await git('worktree', 'add', '--detach', '--force', root, sha);
  const sameLockfile = readFileSync(join(root, 'package-lock.json')).equals(
    readFileSync(join(workspaceRoot, 'package-lock.json')),
  );
  if (!sameLockfile) await runCommand('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root });
  else if (!existsSync(join(root, 'node_modules')))
    symlinkSync(join(workspaceRoot, 'node_modules'), join(root, 'node_modules'));
  return {
    root,
    describe: `a worktree of ${sha.slice(0, 12)} (${sameLockfile ? "the workspace's node_modules" : 'its own npm ci'})`,
    remove: async () => {
      await git('worktree', 'remove', '--force', root);
    },
  };
}

/** Tracked files that differ from HEAD; a build of them would not be the commit it is named for. */
async function trackedChanges(workspaceRoot: string): Promise<string> {
  const status = await runCommand('git', ['status', '--porcelain', '--untracked-files=no'], {
    cwd: workspaceRoot,
    capture: true,
  });
  return status.trim();
}
