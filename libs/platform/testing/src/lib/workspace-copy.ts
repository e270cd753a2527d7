import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The root of this workspace (the repository's working tree). */
export const WORKSPACE_ROOT = join(__dirname, '..', '..', '..', '..', '..');

/**
 * The workspace as it is (tracked and untracked files, nothing ignored) copied into a temporary
 * git repository with one commit, `node_modules` linked: a place to make real commits, run the
 * pipeline or a generator on them without touching the workspace.
 */
export class WorkspaceCopy {
  private constructor(readonly root: string) {}

  static create(prefix: string): WorkspaceCopy {
    const root = mkdtempSync(join(tmpdir(), prefix));
    const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
      cwd: WORKSPACE_ROOT,
      encoding: 'utf8',
    })
      .split('\0')
      .filter((file) => file !== '');
    for (const file of files) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      try {
        cpSync(join(WORKSPACE_ROOT, file), join(root, file));
      } catch {
        // Deleted in the working tree but still tracked: not part of the copy.
      }
    }
    symlinkSync(join(WORKSPACE_ROOT, 'node_modules'), join(root, 'node_modules'));
    const copy = new WorkspaceCopy(root);
    copy.git('init', '-q', '-b', 'main');
    // The link is a file to git, which `node_modules/` in .gitignore does not cover.
    writeFileSync(join(root, '.git', 'info', 'exclude'), 'node_modules\n');
    copy.git('config', 'user.email', 'pipeline-test@switchboard.invalid');
    copy.git('config', 'user.name', 'pipeline test');
    copy.commitAll('base');
    return copy;
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.root, encoding: 'utf8' }).trim();
  }

  /** Commits everything changed and returns the new commit's sha. */
  commitAll(message: string): string {
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
