import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, rmSync } from 'node:fs';

/** How a child process ended. */
export interface ExitStatus {
  /** Exit code, or `null` when a signal ended the process. */
  code: number | null;
  /** The signal that ended the process, if any. */
  signal: NodeJS.Signals | null;
}

const running = new Set<ChildProcess>();
const exits = new WeakMap<ChildProcess, Promise<ExitStatus>>();
const ownedTempDirs = new Set<string>();
let exitHookInstalled = false;

/**
 * Registers a freshly spawned child so it is killed when the test process exits.
 *
 * Jest workers and `nx` runs end with `process.exit`, which skips `afterAll` of a failed or
 * interrupted suite; a nats-server left behind would keep its port and store for the next run.
 * Must be called synchronously after `spawn` so the exit event cannot be missed.
 */
export function trackChild(child: ChildProcess): void {
  installExitHook();
  running.add(child);
  // An 'error' event without a listener (a failed kill, say) would crash the whole test process;
  // callers learn about failures from the exit status and the spawn promise instead.
  child.on('error', () => undefined);
  exits.set(
    child,
    new Promise<ExitStatus>((resolve) => {
      child.once('exit', (code, signal) => {
        running.delete(child);
        resolve({ code, signal });
      });
    }),
  );
}

/** Resolves once `child` has exited (immediately if it already has). */
export function exitOf(child: ChildProcess): Promise<ExitStatus> {
  const known = exits.get(child);
  if (known) return known;
  if (hasExited(child)) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
}

/** Whether `child` has exited. */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Sends `signal` and waits for the exit; if the process is still there after `graceMs`,
 * sends SIGKILL, which cannot be ignored, and waits for that exit instead.
 */
export async function terminate(
  child: ChildProcess,
  signal: NodeJS.Signals,
  graceMs: number,
): Promise<ExitStatus> {
  const exited = exitOf(child);
  if (hasExited(child)) return exited;
  child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'grace-over'>((resolve) => {
    timer = setTimeout(() => resolve('grace-over'), graceMs);
  });
  try {
    if ((await Promise.race([exited, graceOver])) === 'grace-over') child.kill('SIGKILL');
  } finally {
    clearTimeout(timer);
  }
  return exited;
}

/** Marks a temporary directory for removal if the test process exits before its owner cleans up. */
export function trackTempDir(dir: string): void {
  installExitHook();
  ownedTempDirs.add(dir);
}

/** The owner removed `dir` itself; the exit hook no longer needs to. */
export function untrackTempDir(dir: string): void {
  ownedTempDirs.delete(dir);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' listeners must be synchronous: kill() and rmSync() are, awaiting anything is not possible.
  process.on('exit', () => {
    for (const child of running) {
      try {
        child.kill('SIGKILL');
      } catch {
        // Already gone: nothing to clean up.
      }
    }
    for (const dir of ownedTempDirs) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // Best effort: a leftover temp dir must not turn a passing run into a crash.
      }
    }
  });
}

/**
 * Whether a process with this id still runs. A zombie (exited, not yet reaped by its parent, which
 * happens to orphans in containers whose init does not reap) counts as gone.
 */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // Without procfs (macOS) signal 0 succeeding is all we can know.
  if (!existsSync('/proc/self/stat')) return true;
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may contain spaces, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z';
  } catch {
    // It was reaped between the two checks.
    return false;
  }
}
