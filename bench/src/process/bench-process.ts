import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { type ChildConfig, type ChildMessage, type ParentMessage } from './protocol';

const CHILD_ENTRY = join(__dirname, 'child.main.ts');
const EXIT_GRACE_MS = 10_000;

/** What every benchmark process may say: anything typed, and `failed` with a stack. */
interface AnyChildMessage {
  type: string;
}

/**
 * One benchmark process seen from the orchestrator: a forked Node with `--expose-gc` (so it can
 * collect garbage between windows) and the same TypeScript loader as this process.
 *
 * The message and config types default to the RPC suite's protocol; the events suite passes its
 * own, and its own entry point.
 */
export class BenchProcess<
  In extends AnyChildMessage = ChildMessage,
  Out extends AnyChildMessage = ParentMessage,
  Config extends object = ChildConfig,
> {
  private readonly child: ChildProcess;
  private readonly inbox: In[] = [];
  private readonly waiters: { resolve: (m: In) => void; reject: (e: Error) => void }[] = [];
  private exitError: Error | undefined;

  constructor(
    readonly label: string,
    config: Config,
    extraExecArgv: string[] = [],
    entry: string = CHILD_ENTRY,
  ) {
    this.child = fork(entry, [JSON.stringify(config)], {
      execArgv: [...process.execArgv, '--expose-gc', ...extraExecArgv],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (message: In) => {
      if (message.type === 'failed') {
        const error = (message as unknown as { error?: string }).error ?? 'unknown error';
        this.fail(new Error(`${this.label} failed:\n${error}`));
        return;
      }
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve(message);
      else this.inbox.push(message);
    });
    this.child.once('exit', (code, signal) => {
      this.fail(new Error(`${this.label} exited (${signal ?? `code ${code}`}) unexpectedly`));
    });
    this.child.once('error', (error) => this.fail(error));
  }

  send(message: Out): void {
    this.child.send(message);
  }

  /** Resolves with the next message, which must be of `type`; rejects if the process dies first. */
  async expect<T extends In['type']>(
    type: T,
    timeoutMs: number,
  ): Promise<Extract<In, { type: T }>> {
    const message =
      this.inbox.shift() ??
      (await new Promise<In>((resolve, reject) => {
        if (this.exitError) {
          reject(this.exitError);
          return;
        }
        const timer = setTimeout(() => {
          reject(new Error(`${this.label}: no "${type}" within ${timeoutMs} ms`));
        }, timeoutMs);
        this.waiters.push({
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
      }));
    if (message.type !== type)
      throw new Error(`${this.label}: expected "${type}", got "${message.type}"`);
    return message as Extract<In, { type: T }>;
  }

  /** Asks the process to stop and waits for it to exit; kills it if it does not within 10 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    if (this.child.connected) this.child.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), EXIT_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  /** Ends the process at once (after a failure elsewhere). */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }

  private fail(error: Error): void {
    this.exitError ??= error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.exitError);
  }
}
