import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { exitOf, hasExited, terminate, trackChild } from './child-process.util';
import { OutputLines } from './output-lines.util';
import { waitFor } from './wait-for.util';

const MAX_LOG_LINES = 10_000;
const POLL_REQUEST_TIMEOUT_MS = 2_000;

/** Options of {@link spawnService}. */
export interface SpawnServiceOptions {
  /** Name used in messages, e.g. `chat`. */
  name: string;
  /** Path of the built entry point (`dist/services/chat/main.js`), run with the current `node`. */
  entry: string;
  /** Environment on top of `process.env`. */
  env: Record<string, string>;
  /** HTTP port; passed to the service as `PORT`. */
  port: number;
  /** Readiness path polled until it answers 200. Default `/health/ready`. */
  readyPath?: string;
  /** How long to wait for readiness. Default 30000 ms. */
  readyTimeoutMs?: number;
}

/** A service started as its own Node process, ready to take traffic. */
export interface ServiceProcess {
  /** The `name` it was spawned with. */
  readonly name: string;
  /** Base URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Process id. */
  readonly pid: number;
  /** Every line the service wrote to stdout and stderr so far (newest 10000), oldest first. */
  logs(): string[];
  /**
   * Sends `signal` (default SIGTERM) and resolves the exit code once the process has exited;
   * SIGKILL after `timeoutMs` (default 10000). `null` means a signal ended it (it did not exit by itself).
   */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  /** Resolves the exit code when the process exits on its own (or `null` if a signal ended it). */
  waitForExit(): Promise<number | null>;
}

/**
 * Spawns `node <entry>` with `process.env` + `env` + `PORT=<port>` and resolves once
 * `http://127.0.0.1:<port><readyPath>` answers HTTP 200.
 *
 * @throws if the entry is missing, the process exits before it is ready, or readiness times out
 *   (the process is then killed); the error quotes the tail of the service's log.
 */
export async function spawnService(options: SpawnServiceOptions): Promise<ServiceProcess> {
  const { name, entry, port } = options;
  const readyUrl = `http://127.0.0.1:${port}${options.readyPath ?? '/health/ready'}`;
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  if (!existsSync(entry)) {
    throw new Error(`Service "${name}": entry ${entry} does not exist. Build the service first.`);
  }

  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, ...options.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  const output = new OutputLines(MAX_LOG_LINES);
  output.attach(child.stdout);
  output.attach(child.stderr);
  await once(child, 'spawn');
  // Wait for 'close' rather than 'exit' before quoting the log: the last lines of a crash are
  // often still in the pipe when the exit is reported.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));

  let lastPoll = 'no response yet';
  const isReady = async (): Promise<boolean> => {
    try {
      const response = await fetch(readyUrl, {
        signal: AbortSignal.timeout(POLL_REQUEST_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      lastPoll = `HTTP ${response.status}`;
      return response.status === 200;
    } catch (error) {
      lastPoll = describeFetchError(error);
      return false;
    }
  };

  try {
    await waitFor(async () => hasExited(child) || (await isReady()), {
      timeoutMs: readyTimeoutMs,
      intervalMs: 100,
    });
  } catch {
    await terminate(child, 'SIGTERM', 5_000);
    await settle(closed);
    throw new Error(
      `Service "${name}" was not ready within ${readyTimeoutMs} ms (${readyUrl}: ${lastPoll}); it was stopped. ` +
        `Last log lines:\n${output.tail()}`,
    );
  }
  if (hasExited(child)) {
    const { code, signal } = await exitOf(child);
    await settle(closed);
    throw new Error(
      `Service "${name}" exited (${signal ?? `code ${code}`}) before it was ready (${readyUrl}). ` +
        `Last log lines:\n${output.tail()}`,
    );
  }

  return {
    name,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    logs: () => output.all(),
    async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<number | null> {
      const { code } = await terminate(child, signal, timeoutMs);
      return code;
    },
    async waitForExit(): Promise<number | null> {
      return (await exitOf(child)).code;
    },
  };
}

/** Gives the pipes up to a second to deliver the last lines; a grandchild holding them must not hang us. */
async function settle(closed: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    closed,
    new Promise<void>((resolve) => (timer = setTimeout(resolve, 1_000))),
  ]);
  clearTimeout(timer);
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // undici hides the useful part (ECONNREFUSED) in `cause`.
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
