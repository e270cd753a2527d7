import { spawn } from 'node:child_process';

const TAIL_LINES = 40;

/**
 * Runs a command to completion with its output captured; a non-zero exit throws with the last
 * lines of that output, so the failing step shows why without the whole log. Resolves to the whole
 * of stdout when `capture` is set (for commands whose answer is their output), '' otherwise.
 */
export function runCommand(
  command: string,
  args: string[],
  options: {
    cwd: string;
    env?: Record<string, string>;
    /** The environment `env` is added to (default: this process's). */
    baseEnv?: NodeJS.ProcessEnv;
    capture?: boolean;
  },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...(options.baseEnv ?? process.env), NX_DAEMON: 'false', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let stdout = '';
    if (options.capture) child.stdout.on('data', (chunk: Buffer) => (stdout += String(chunk)));
    const keep = (chunk: Buffer): void => {
      lines.push(...String(chunk).split('\n'));
      if (lines.length > TAIL_LINES * 4) lines.splice(0, lines.length - TAIL_LINES);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) return resolve(stdout);
      const tail = lines
        .filter((line) => line.trim() !== '')
        .slice(-TAIL_LINES)
        .join('\n');
      reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}\n${tail}`));
    });
  });
}
