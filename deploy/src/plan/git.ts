import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UsageError } from '../cli/usage-error';

const run = promisify(execFile);

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

/** The commit a ref names; a ref that names none is the caller's mistake, said so. */
export async function resolveCommit(cwd: string, ref: string, flag: string): Promise<string> {
  try {
    return await git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new UsageError(
      `${flag} ${ref}: not a commit in this repository` +
        (/^origin\//.test(ref) ? ' (fetch it first: a shallow CI clone has no history)' : ''),
    );
  }
}

/**
 * Files changed between the merge base of `base` and `head`, and `head` — what a pull request
 * changes, as `nx affected` counts it. Renames count as a removal and an addition, so both the old
 * and the new path are planned for.
 */
export async function changedFiles(cwd: string, base: string, head: string): Promise<string[]> {
  const output = await git(cwd, ['diff', '--name-only', '--no-renames', `${base}...${head}`]);
  return output === '' ? [] : output.split('\n');
}

export async function headCommit(cwd: string): Promise<string> {
  return git(cwd, ['rev-parse', 'HEAD']);
}

export async function topLevel(cwd: string): Promise<string> {
  return git(cwd, ['rev-parse', '--show-toplevel']);
}
