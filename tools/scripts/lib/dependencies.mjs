// Step 1 of `npm start`: make sure node_modules matches package-lock.json.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runTask } from './processes.mjs';
import { say, UserError } from './ui.mjs';

/**
 * Why dependencies must be (re)installed, or null when node_modules is up to date. npm writes
 * node_modules/.package-lock.json at the end of every install, so it is older than package-lock.json
 * exactly when the lock file changed (a pull, a branch switch) since the last install.
 */
export function installReason(root) {
  const lockFile = join(root, 'package-lock.json');
  const installedLock = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(lockFile)) {
    throw new UserError('package-lock.json is missing: run `npm install` once to create it.');
  }
  if (!existsSync(join(root, 'node_modules'))) return 'node_modules is missing';
  if (!existsSync(installedLock))
    return 'node_modules was not installed by npm (no node_modules/.package-lock.json)';
  if (statSync(installedLock).mtimeMs < statSync(lockFile).mtimeMs) {
    return 'package-lock.json changed since the last install';
  }
  return null;
}

export async function ensureDependencies(root) {
  const reason = installReason(root);
  if (reason === null) return;
  say(`Installing dependencies with npm ci (${reason})…`);
  const { code, signal, error } = await runTask(
    'npm ci',
    'npm',
    ['ci', '--no-audit', '--no-fund'],
    {
      cwd: root,
      env: process.env,
    },
  );
  if (error) throw new UserError(`could not run npm: ${error.message}`);
  if (code !== 0) {
    throw new UserError(`npm ci failed (${signal ?? `exit code ${code}`}); see its output above.`);
  }
}
