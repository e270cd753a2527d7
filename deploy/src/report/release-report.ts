import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type ChangeReport, type ServiceReport } from './report';

const run = promisify(execFile);
const MAIN = join(__dirname, '..', 'main.ts');
const REGISTER = join(__dirname, '..', '..', 'register.cjs');

/** What a release changed against the one live before it, as recorded with the release. */
export interface ReleaseChanges {
  /** The sha of the release it replaced. */
  base: string;
  /** The report's part for its host; absent when no change between the two reaches it. */
  report?: ServiceReport;
  /** Why there is no report (it could not be made); the deploy went on without it. */
  unavailable?: string;
}

/**
 * `deploy report --base <live sha> --head <sha>` for the host a release ships, run in the tree it
 * is built from (the checkout holds exactly that commit, as the report needs) by this workspace's
 * pipeline code. A report that cannot be made never stops a deploy: it says why instead.
 */
export async function releaseChanges(
  checkoutRoot: string,
  options: { base: string; head: string; topology: string; host: string },
): Promise<ReleaseChanges> {
  const args = ['-r', REGISTER, MAIN, 'report', '--base', options.base, '--head', options.head];
  try {
    const { stdout } = await run(
      process.execPath,
      [...args, '--topology', options.topology, '--format', 'json'],
      {
        cwd: checkoutRoot,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, NX_DAEMON: 'false' },
      },
    );
    const report = JSON.parse(stdout) as ChangeReport;
    const part = report.services.find((service) => service.name === options.host);
    return { base: options.base, ...(part === undefined ? {} : { report: part }) };
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    return {
      base: options.base,
      unavailable: stderr.split('\n').at(-1) || (error as Error).message,
    };
  }
}
