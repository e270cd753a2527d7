import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import {
  exitOf,
  hasExited,
  terminate,
  trackChild,
  trackTempDir,
  untrackTempDir,
} from './child-process.util';
import { freePort } from './free-port.util';
import { OutputLines } from './output-lines.util';
import { sleep, waitFor } from './wait-for.util';

/** Where the Debian/Ubuntu `nats-server` package installs the binary, which is not always on PATH. */
export const NATS_SERVER_FALLBACK_PATH = '/usr/sbin/nats-server';

const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 10_000;
const PORT_ATTEMPTS = 5;
const READY_LINE = 'Server is ready';

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** Enable JetStream (`-js`). Default `true`. */
  jetstream?: boolean;
  /**
   * JetStream store directory (`-sd`). Default: a fresh temp dir, removed by `stop()`.
   * A directory you pass is never removed.
   */
  storeDir?: string;
  /** Client port. Default: a free port on 127.0.0.1 (with retries if another process takes it first). */
  port?: number;
  /** Extra nats-server arguments, appended after the harness's own. Do not redirect logging (`-l`): readiness is read from stderr. */
  args?: string[];
  /** Path of the nats-server binary. Default: env `NATS_SERVER_BIN`, else `nats-server` on PATH, else `/usr/sbin/nats-server`. */
  binary?: string;
}

/** A nats-server child process owned by one test suite. */
export interface TestNatsServer {
  /** Client URL, `nats://127.0.0.1:<port>`. */
  readonly url: string;
  /** Client port; the same across {@link TestNatsServer.restart}. */
  readonly port: number;
  /** JetStream store directory; the same across {@link TestNatsServer.restart}. */
  readonly storeDir: string;
  /** Process id of the current server process (a new one after `restart()`). */
  readonly pid: number;
  /** SIGTERM (SIGKILL after 10 s), waits for the exit, removes the store if the harness created it. Idempotent. */
  stop(): Promise<void>;
  /**
   * Sends `signal` (default SIGKILL, i.e. a crash) and waits for the exit, keeping the store so that
   * `restart()` can recover it. A signal that does not end the server is followed by SIGKILL after 10 s.
   */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port and store dir (stopping it gracefully first if it runs). */
  restart(): Promise<void>;
}

/** Overrides of where {@link findNatsServerBinary} looks. */
export interface NatsServerBinaryLookup {
  /** Explicit path; wins over everything else. */
  binary?: string;
  /** Environment to read `NATS_SERVER_BIN` and `PATH` from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Last place tried. Default {@link NATS_SERVER_FALLBACK_PATH}. */
  fallback?: string;
}

/**
 * Resolves the nats-server executable: `binary`, else env `NATS_SERVER_BIN`, else `nats-server`
 * on PATH, else `/usr/sbin/nats-server`.
 *
 * An explicit path that does not exist is an error rather than a reason to look elsewhere: whoever
 * set it wants that binary, and silently running another version would hide the mistake.
 *
 * @throws Error naming every place tried and how to install nats-server.
 */
export function findNatsServerBinary(lookup: NatsServerBinaryLookup = {}): string {
  const env = lookup.env ?? process.env;
  const explicit = nonEmpty(lookup.binary) ?? nonEmpty(env['NATS_SERVER_BIN']);
  if (explicit !== undefined) {
    if (isExecutableFile(explicit)) return explicit;
    const source =
      nonEmpty(lookup.binary) !== undefined ? 'the `binary` option' : 'NATS_SERVER_BIN';
    throw new Error(
      `nats-server not found at ${explicit} (set by ${source}): no executable file there. ` +
        `Point it at an installed nats-server, or unset it to search PATH and ${lookup.fallback ?? NATS_SERVER_FALLBACK_PATH}. ` +
        installHint(),
    );
  }

  const pathValue = env['PATH'] ?? '';
  for (const dir of pathValue.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'nats-server');
    if (isExecutableFile(candidate)) return candidate;
  }
  const fallback = lookup.fallback ?? NATS_SERVER_FALLBACK_PATH;
  if (isExecutableFile(fallback)) return fallback;

  throw new Error(
    `nats-server not found: looked for \`nats-server\` on PATH (${pathValue === '' ? 'PATH is empty' : pathValue}) ` +
      `and at ${fallback}. ${installHint()} Or set NATS_SERVER_BIN to the binary's path.`,
  );
}

/**
 * Starts a nats-server for one test suite on its own port, with JetStream in its own store dir.
 *
 * Resolves once the server logged that it is ready and accepts TCP connections. The child is killed
 * if the test process exits without calling `stop()`.
 *
 * @example
 * const nats = await startNatsServer();
 * const nc = await connect({ servers: nats.url });
 * // ...
 * await nc.close();
 * await nats.stop();
 *
 * @throws if the binary is missing, the port is taken (explicit `port`), or the server is not ready
 *   within 10 s; the error quotes the tail of the server's output.
 */
export function startNatsServer(options: NatsServerOptions = {}): Promise<TestNatsServer> {
  return startNatsServerWith(options, { pickPort: freePort });
}

/** Seams for tests of the harness itself. */
export interface NatsServerDeps {
  pickPort: () => Promise<number>;
}

/** {@link startNatsServer} with its port picker injectable; not part of the public entry. */
export async function startNatsServerWith(
  options: NatsServerOptions,
  deps: NatsServerDeps,
): Promise<TestNatsServer> {
  const binary = findNatsServerBinary({ binary: options.binary });
  const ownsStore = options.storeDir === undefined;
  const storeDir = options.storeDir ?? (await mkdtemp(join(tmpdir(), 'sb-nats-')));
  if (ownsStore) trackTempDir(storeDir);

  const launchSpec = {
    binary,
    storeDir,
    jetstream: options.jetstream ?? true,
    args: options.args ?? [],
  };
  // Another process can take a port between freePort() closing it and nats-server binding it;
  // with a port of our own choosing, picking another one is the fix. A caller's port is not ours to change.
  const attempts = options.port === undefined ? PORT_ATTEMPTS : 1;
  try {
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await deps.pickPort());
      try {
        const child = await launch({ ...launchSpec, port });
        return new NatsServerProcess(launchSpec, port, ownsStore, child);
      } catch (error) {
        if (!(error instanceof PortInUseError) || attempt >= attempts) throw error;
      }
    }
  } catch (error) {
    if (ownsStore) await removeStore(storeDir);
    throw error;
  }
}

interface LaunchSpec {
  binary: string;
  storeDir: string;
  jetstream: boolean;
  args: string[];
}

class PortInUseError extends Error {}

class NatsServerProcess implements TestNatsServer {
  readonly url: string;
  private lastPid: number;
  private stopped = false;

  constructor(
    private readonly spec: LaunchSpec,
    readonly port: number,
    private readonly ownsStore: boolean,
    private child: ChildProcess,
  ) {
    this.url = `nats://127.0.0.1:${port}`;
    this.lastPid = child.pid ?? -1;
  }

  get storeDir(): string {
    return this.spec.storeDir;
  }

  get pid(): number {
    return this.lastPid;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await terminate(this.child, 'SIGTERM', STOP_GRACE_MS);
    if (this.ownsStore) await removeStore(this.spec.storeDir);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await terminate(this.child, signal, STOP_GRACE_MS);
  }

  async restart(): Promise<void> {
    if (this.stopped)
      throw new Error(
        `nats-server on port ${this.port} was stopped; start a new one instead of restarting it`,
      );
    await terminate(this.child, 'SIGTERM', STOP_GRACE_MS);
    // The old listener is gone once the process has exited, but give a lingering socket a moment
    // before declaring the port lost.
    for (let attempt = 1; ; attempt++) {
      try {
        this.child = await launch({ ...this.spec, port: this.port });
        this.lastPid = this.child.pid ?? -1;
        return;
      } catch (error) {
        if (!(error instanceof PortInUseError) || attempt >= 3) throw error;
        await sleep(200);
      }
    }
  }
}

async function launch(spec: LaunchSpec & { port: number }): Promise<ChildProcess> {
  const argv = ['-a', '127.0.0.1', '-p', String(spec.port)];
  if (spec.jetstream) argv.push('-js', '-sd', spec.storeDir);
  argv.push(...spec.args);

  const child = spawn(spec.binary, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  const output = new OutputLines(500);
  output.attach(child.stdout);
  output.attach(child.stderr);
  const describe = `nats-server ${argv.join(' ')}`;

  try {
    await once(child, 'spawn');
  } catch (error) {
    throw new Error(`Could not run ${spec.binary}: ${(error as Error).message}`, { cause: error });
  }

  // Readiness comes from our own child's log rather than from a TCP probe alone: if another process
  // took the port, a probe would happily connect to it while our server is failing to bind.
  let sawReadyLine = false;
  const unsubscribe = output.onLine((line) => {
    if (line.includes(READY_LINE)) sawReadyLine = true;
  });
  // 'close' (not 'exit') so that the stderr of a failed start has been read before we quote it.
  let closed = false;
  child.once('close', () => {
    closed = true;
  });

  try {
    await waitFor(() => closed || (sawReadyLine && canConnect(spec.port)), {
      timeoutMs: READY_TIMEOUT_MS,
      intervalMs: 25,
      message: () =>
        `${describe} was not ready within ${READY_TIMEOUT_MS} ms. Output:\n${output.tail()}`,
    });
  } catch (error) {
    await terminate(child, 'SIGKILL', STOP_GRACE_MS);
    throw error;
  } finally {
    unsubscribe();
  }

  if (closed || hasExited(child)) {
    const { code, signal } = await exitOf(child);
    const tail = output.tail();
    const message = `${describe} exited (${signal ?? `code ${code}`}) before it was ready. Output:\n${tail}`;
    throw /address already in use/i.test(tail) ? new PortInUseError(message) : new Error(message);
  }
  return child;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    socket.setTimeout(1_000);
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

async function removeStore(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  untrackTempDir(dir);
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function installHint(): string {
  return 'Install nats-server (Debian/Ubuntu: `apt-get install nats-server`; elsewhere: the release binary from the NATS project).';
}
