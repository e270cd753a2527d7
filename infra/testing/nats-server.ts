import { inboxPrefixOf } from '@switchboard/contracts';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, Events, type NatsConnection } from 'nats';

/** `nats-server` on PATH, else the Debian location. */
export function natsServerBinary(): string {
  const onPath = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim() !== '') return onPath.stdout.trim();
  if (existsSync('/usr/sbin/nats-server')) return '/usr/sbin/nats-server';
  throw new Error('nats-server is not installed (looked on PATH and in /usr/sbin)');
}

/** Runs `nats-server -c <file> -t` (config test mode) on a config text. */
export function checkNatsConfig(config: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sb-nats-conf-'));
  try {
    const file = join(dir, 'nats.conf');
    writeFileSync(file, config);
    const result = spawnSync(natsServerBinary(), ['-c', file, '-t'], { encoding: 'utf8' });
    return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Whether process `pid` holds the listening TCP socket of `port` (Linux `/proc`; elsewhere assumed).
 * Between `freePort()` and a child's listen, a server of a test running in parallel may take the
 * port: its answers to a readiness probe are not the child's.
 */
export function listensOn(pid: number | undefined, port: number): boolean {
  const tables = ['/proc/net/tcp', '/proc/net/tcp6'].filter((table) => existsSync(table));
  if (pid === undefined || tables.length === 0) return true;
  const local = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const listening = new Set<string>();
  for (const table of tables) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      // sl local_address rem_address st … inode: state 0A is LISTEN.
      const fields = line.trim().split(/\s+/);
      if (fields[1]?.endsWith(local) && fields[3] === '0A') listening.add(`socket:[${fields[9]}]`);
    }
  }
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return listening.has(readlinkSync(`/proc/${pid}/fd/${fd}`));
      } catch {
        return false; // closed meanwhile
      }
    });
  } catch {
    return false; // the process is gone
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningNats {
  port: number;
  /** Everything the server has logged so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts nats-server with a config (rendered for `storeDir`), waiting until it accepts clients. */
export async function startNats(render: (storeDir: string) => string): Promise<RunningNats> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-nats-'));
  const file = join(dir, 'nats.conf');
  writeFileSync(file, render(join(dir, 'jetstream')));
  const port = await freePort();
  const child: ChildProcess = spawn(
    natsServerBinary(),
    ['-c', file, '-a', '127.0.0.1', '-p', String(port)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`nats-server did not start:\n${output}`)),
      10_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Server is ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited with ${code}:\n${output}`));
    });
  });
  return {
    port,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A subject the server refused this connection, as its `-ERR` reports it. */
export interface Violation {
  operation: string;
  subject: string;
}

/**
 * Connects as a service's NATS user, the way the platform does (replies under the service's own
 * inbox prefix), and records the permission violations the server reports for the connection.
 */
export async function connectAsService(
  port: number,
  service: string,
  password: string,
): Promise<{ nc: NatsConnection; violations: Violation[] }> {
  const nc = await connect({
    port,
    user: service,
    pass: password,
    inboxPrefix: inboxPrefixOf(service),
    noAsyncTraces: true,
  });
  const violations: Violation[] = [];
  void (async () => {
    for await (const status of nc.status()) {
      const context = (status as { permissionContext?: Violation }).permissionContext;
      if (status.type === Events.Error && context) violations.push(context);
    }
  })();
  return { nc, violations };
}
