// Step 2 of `npm start`: a NATS server with JetStream — the one already running at NATS_URL, or one
// we start (and later stop) ourselves.
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
} from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isPortInUse, probeNats } from './net.mjs';
import { runTask, spawnBackground } from './processes.mjs';
import { say, UserError, warn } from './ui.mjs';

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
const MONITOR_PORT = 8222;
const EXTRA_LOCATIONS = ['/usr/sbin/nats-server', '/usr/local/bin/nats-server'];
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::']);
const READY_TIMEOUT_MS = 15_000;
const LOG_HEADER = '\n--- ';

/** Host and port of the first server in a NATS_URL (which may list several, comma-separated). */
export function parseNatsUrl(natsUrl) {
  const first = natsUrl.split(',')[0].trim();
  let url;
  try {
    url = new URL(first.includes('://') ? first : `nats://${first}`);
  } catch {
    throw new UserError(
      `NATS_URL is not a URL: ${JSON.stringify(natsUrl)} (expected e.g. ${DEFAULT_NATS_URL})`,
    );
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  return { host, port: Number(url.port || 4222) };
}

/** The nats-server executable on PATH or in the usual package locations, or null. */
export function findNatsServer(pathEnv = process.env.PATH ?? '') {
  const candidates = [
    ...pathEnv
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, 'nats-server')),
    ...EXTRA_LOCATIONS,
  ];
  return candidates.find(isExecutable) ?? null;
}

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function canInstallWithApt() {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return isRoot && (existsSync('/etc/debian_version') || findOnPath('apt-get') !== null);
}

function findOnPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

const HOW_TO_INSTALL = [
  'nats-server is not installed. Install it, then run `npm start` again:',
  '  Debian/Ubuntu:  sudo apt-get install nats-server',
  '  macOS:          brew install nats-server',
  '  other systems:  https://docs.nats.io/running-a-nats-service/introduction/installation',
  'or point NATS_URL at a NATS server (with JetStream) that is already running.',
].join('\n');

async function installWithApt() {
  say(
    'nats-server is not installed; installing it with apt-get (running as root on Debian/Ubuntu)…',
  );
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', 'nats-server']]) {
    const { code, error } = await runTask('apt-get', 'apt-get', args, { env });
    if (error || code !== 0) {
      throw new UserError(
        `\`apt-get ${args.join(' ')}\` failed; see its output above.\n${HOW_TO_INSTALL}`,
      );
    }
  }
}

async function natsServerBinary() {
  // Same override as the test harness (libs/platform/testing).
  const explicit = process.env.NATS_SERVER_BIN;
  if (explicit) {
    if (isExecutable(explicit)) return explicit;
    throw new UserError(`NATS_SERVER_BIN=${explicit} is not an executable file.`);
  }
  const found = findNatsServer();
  if (found) return found;
  if (!canInstallWithApt()) throw new UserError(HOW_TO_INSTALL);
  await installWithApt();
  const installed = findNatsServer();
  if (!installed) {
    throw new UserError(
      `apt-get ran, but no nats-server executable is on PATH or in ${EXTRA_LOCATIONS.join(', ')}. ` +
        'Install it by hand, or point NATS_URL at a running server.',
    );
  }
  return installed;
}

/** Starts nats-server with JetStream, its store and log under .switchboard/. */
async function startNatsServer(root, host, port) {
  const binary = await natsServerBinary();
  const storeDir = join(root, '.switchboard', 'nats');
  const logFile = join(root, '.switchboard', 'nats.log');
  mkdirSync(storeDir, { recursive: true });

  const listenHost = host === 'localhost' ? '127.0.0.1' : host;
  const args = ['-a', listenHost, '-p', String(port), '-js', '-sd', storeDir];
  // The monitoring endpoint is a convenience: when its port is taken (e.g. by another nats-server)
  // run without it rather than fail.
  const monitor = !(await isPortInUse(MONITOR_PORT));
  if (monitor) {
    args.push('-m', String(MONITOR_PORT));
  } else {
    warn(`port ${MONITOR_PORT} is in use: starting nats-server without its monitoring endpoint.`);
  }

  const log = openSync(logFile, 'a');
  writeSync(
    log,
    `${LOG_HEADER}${new Date().toISOString()} npm start: ${binary} ${args.join(' ')}\n`,
  );
  const entry = spawnBackground('nats-server', 'nats', binary, args, {
    cwd: root,
    env: process.env,
    stdio: ['ignore', log, log],
  });
  closeSync(log); // the child has its own copy of the descriptor

  await waitForNats(entry, host, port, logFile);
  say(
    `Started nats-server on ${host}:${port} with JetStream (store ${relative(root, storeDir)}, ` +
      `log ${relative(root, logFile)}${monitor ? `, monitoring http://127.0.0.1:${MONITOR_PORT}` : ''}).`,
  );
  return entry;
}

async function waitForNats(entry, host, port, logFile) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (entry.exited) {
      const { code, signal, error } = await entry.exit;
      const how = error?.message ?? signal ?? `code ${code}`;
      throw new UserError(`nats-server exited (${how}) while starting. ${logTail(logFile)}`);
    }
    if ((await probeNats(host, port)).state === 'nats') return;
    await sleep(100);
  }
  throw new UserError(
    `nats-server did not accept connections on ${host}:${port} within ${READY_TIMEOUT_MS / 1000} s. ` +
      logTail(logFile),
  );
}

/** The last lines this run wrote to the (appended) log: those after our last `---` header. */
function logTail(logFile, lines = 15) {
  try {
    const log = readFileSync(logFile, 'utf8');
    const thisRun = log.slice(log.lastIndexOf(LOG_HEADER) + LOG_HEADER.length);
    const tail = thisRun.trimEnd().split('\n').slice(1).slice(-lines);
    return `Last lines of ${logFile}:\n  ${tail.join('\n  ')}`;
  } catch {
    return '';
  }
}

/**
 * Uses the NATS server at `natsUrl` when one answers there, or starts one.
 * Resolves to the tracked nats-server process when we started it, else null.
 */
export async function ensureNats(root, natsUrl) {
  const { host, port } = parseNatsUrl(natsUrl);
  const probe = await probeNats(host, port);
  if (probe.state === 'nats') {
    say(`Using the NATS server already running at ${host}:${port}.`);
    if (probe.info.jetstream !== true) {
      warn(`that server does not report JetStream; the services need it (nats-server -js).`);
    }
    return null;
  }
  if (probe.state === 'other') {
    throw new UserError(
      `something that is not a NATS server listens on ${host}:${port} (NATS_URL=${natsUrl}). ` +
        'Stop it, or set NATS_URL to another address.',
    );
  }
  if (!LOCAL_HOSTS.has(host)) {
    throw new UserError(
      `no NATS server answers at ${host}:${port} (NATS_URL=${natsUrl}), and it is not a local address we could start one on.`,
    );
  }
  return startNatsServer(root, host, port);
}
