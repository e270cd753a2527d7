import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** `dist/bench/<suite>-<timestamp>.json` under the workspace root (dist is git-ignored). */
export function defaultJsonPath(workspaceRoot: string, startedAt: Date, suite = 'rpc'): string {
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  return join(workspaceRoot, 'dist', 'bench', `${suite}-${stamp}.json`);
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}
