/**
 * The child side of the orchestrator's IPC channel, shared by the benchmark processes of every
 * suite: send a message (resolving once it is handed over), wait for the next one of a given type.
 */
import { cpuUsage } from 'node:process';
import { type CpuTime } from './protocol';

let finished = false;
// An orchestrator that died (crash, kill) leaves no one to say "stop": do not linger.
process.on('disconnect', () => {
  if (!finished) process.exit(1);
});

/** Messages are queued so that one sent before anyone waits for it is not lost. */
const inbox: { type: string }[] = [];
const waiters: ((message: { type: string }) => void)[] = [];
process.on('message', (message: { type: string }) => {
  const waiter = waiters.shift();
  if (waiter) waiter(message);
  else inbox.push(message);
});

export function sendToParent<M extends { type: string }>(message: M): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) {
      reject(
        new Error('started without an IPC channel: run it through the benchmark (npm run bench)'),
      );
      return;
    }
    process.send(message, undefined, undefined, (error) => (error ? reject(error) : resolve()));
  });
}

/** Resolves with the orchestrator's next message, which must be of `type`. */
export async function expectFromParent<M extends { type: string }, T extends M['type']>(
  type: T,
): Promise<Extract<M, { type: T }>> {
  const message =
    inbox.shift() ?? (await new Promise<{ type: string }>((resolve) => waiters.push(resolve)));
  if (message.type !== type)
    throw new Error(`expected "${type}" from the orchestrator, got "${message.type}"`);
  return message as Extract<M, { type: T }>;
}

/** A full collection between windows, so garbage of one window is not paid for in the next. */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** CPU time this process spent since `start` (a `process.cpuUsage()` reading). */
export function cpuSince(start: NodeJS.CpuUsage): CpuTime {
  const used = cpuUsage(start);
  return { userUs: used.user, systemUs: used.system };
}

/**
 * Runs the process's work, then lets it exit: on success by closing the channel, on failure by
 * reporting the stack to the orchestrator first (which turns it into the run's error).
 */
export function runChild(main: () => Promise<void>): void {
  main().then(
    () => {
      finished = true;
      process.disconnect?.();
    },
    async (error: unknown) => {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      await sendToParent({ type: 'failed', error: text }).catch(() => undefined);
      finished = true;
      process.exitCode = 1;
      process.disconnect?.();
    },
  );
}
