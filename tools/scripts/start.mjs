#!/usr/bin/env node
// `npm start`: everything a fresh clone needs to run Switchboard locally, in one command.
//   1. npm ci when node_modules is missing or older than package-lock.json
//   2. a NATS server with JetStream (the one at NATS_URL, or one started here)
//   3. nx build of the topology's hosts (skipped with --no-build)
//   4. each process of the topology (default `services`: one per domain), its log lines made readable
//   5. wait until every service is ready, then print URLs, a dev token and a curl example, and
//      write .switchboard/running.json (what runs where, for `npm run checkpoint`)
// Ctrl-C (SIGINT), SIGTERM and SIGHUP stop the services gracefully, then NATS if we started it.
//
// Only Node built-ins here: this runs before dependencies are installed.
import { existsSync, mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureDependencies } from './lib/dependencies.mjs';
import { formatLogLine, nameColor } from './lib/log-format.mjs';
import { ensureNats, DEFAULT_NATS_URL } from './lib/nats.mjs';
import { isPortInUse, waitForHttpOk } from './lib/net.mjs';
import {
  capture,
  killAllNow,
  refuseNewProcesses,
  runTask,
  runningOf,
  spawnBackground,
  stop,
} from './lib/processes.mjs';
import { removeRunningState, writeRunningState } from './lib/running-state.mjs';
import { HOSTS } from './lib/services.mjs';
import {
  databaseUrlKey,
  gatewayUpstreams,
  hostsOf,
  loadTopology,
  TopologyError,
  topologyNames,
} from './lib/topology.mjs';
import { printError, say, section, style, UserError, warn } from './lib/ui.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const STATE_DIR = join(ROOT, '.switchboard');
const READY_TIMEOUT_MS = 60_000;
const SERVICE_GRACE_MS = 15_000;
const NATS_GRACE_MS = 5_000;
const LAST_LINES = 20;

const TOPOLOGIES = join(ROOT, 'topologies');

const USAGE = `Usage: npm start [-- --topology <name>] [-- --no-build]

  --topology <name>  which processes host which domains: ${topologyNames(TOPOLOGIES).join(', ')}
                     (topologies/<name>.json; default services, one process per domain)
  --no-build         start the services from the last build in dist/ (fast restart)
  --help             show this help

Environment:
  NATS_URL          NATS server to use; one is started there if none answers (default ${DEFAULT_NATS_URL})
  NATS_SERVER_BIN   nats-server executable to start (default: from PATH or /usr/sbin)
  LOG_LEVEL         passed to the services
  NODE_ENV          passed to the services (default development)
  AUTH_JWT_SECRET   JWT secret of the services and the dev token (default: the public dev secret)
  SWITCHBOARD_DIST  where the built services are (default dist)`;

let stopping = false;
let shutdownPromise = null;

// ── steps ────────────────────────────────────────────────────────────────────────────────────────

function parseArguments(argv) {
  const options = { build: true, topology: 'services' };
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    if (arg === '--no-build') options.build = false;
    else if (arg === '--topology' || arg.startsWith('--topology=')) {
      const value = arg === '--topology' ? argv[++index] : arg.slice('--topology='.length);
      if (!value) throw new UserError(`--topology needs a name\n${USAGE}`);
      options.topology = value;
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new UserError(`unknown option ${arg}\n${USAGE}`);
  }
  return options;
}

function checkNodeVersion() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    throw new UserError(
      `Node ${process.versions.node} is too old: Switchboard needs Node 20.19 or newer (it loads ES-module-only packages with require).`,
    );
  }
}

/** Fails before anything is started when a service's port is taken. */
async function checkPortsFree(services) {
  const taken = [];
  for (const service of services) {
    if (await isPortInUse(service.port)) taken.push(service);
  }
  if (taken.length === 0) return;
  const lines = taken.map(({ name, port }) => `  port ${port} (${name}) is already in use`);
  const [{ port }] = taken;
  throw new UserError(
    [
      'cannot start: a service port is taken — is another `npm start` still running?',
      ...lines,
      `Find what holds it with: ss -ltnp 'sport = :${port}'  (macOS: lsof -nP -iTCP:${port} -sTCP:LISTEN)`,
    ].join('\n'),
  );
}

async function buildServices(hosts) {
  const projects = hosts.join(',');
  section(`Building ${projects}`);
  const args = ['--no', 'nx', 'run-many', '-t', 'build', '-p', projects, '--outputStyle=stream'];
  const { code, signal, error } = await runTask('nx build', 'npx', args, {
    cwd: ROOT,
    // The nx daemon would outlive this script; a one-off build does not need it.
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  if (error) throw new UserError(`could not run npx: ${error.message}`);
  if (code !== 0) {
    const how = signal ?? `exit code ${code}`;
    throw new UserError(`the build failed (${how}); see the nx output above.`);
  }
}

function distRoot() {
  return resolve(ROOT, process.env.SWITCHBOARD_DIST || 'dist');
}

function mainFileOf(process) {
  return join(distRoot(), 'services', process.host, 'main.js');
}

function checkBuilt(services, built) {
  const missing = services.filter((service) => !existsSync(mainFileOf(service)));
  if (missing.length === 0) return;
  const files = missing.map((service) => `  ${relative(ROOT, mainFileOf(service))}`).join('\n');
  const hint = built ? 'the build did not produce them' : 'run `npm start` without --no-build once';
  throw new UserError(`not built yet (${hint}):\n${files}`);
}

/**
 * A process's environment: each domain it hosts on its own sqlite file, the same file whichever
 * process hosts the domain (so switching topology keeps the data); the monolith's host told which
 * domains to carry; the gateway told which process serves each domain.
 */
function serviceEnv(service, natsUrl, topology) {
  const domains = service.domains ?? [];
  // Each domain's database is named below; one from the shell would be refused by the monolith.
  const inherited = { ...process.env };
  delete inherited.DATABASE_URL;
  return {
    ...inherited,
    NODE_ENV: process.env.NODE_ENV || 'development',
    PORT: String(service.port),
    NATS_URL: natsUrl,
    ...Object.fromEntries(
      domains.map((domain) => [
        databaseUrlKey(domain),
        `sqlite:${join(STATE_DIR, 'data', `${domain}.sqlite`)}`,
      ]),
    ),
    ...(HOSTS[service.host]?.selectsDomains
      ? { SERVICE_NAME: service.name, HOST_DOMAINS: domains.join(',') }
      : {}),
    ...(service.host === 'gateway' && topology
      ? { GATEWAY_UPSTREAMS: gatewayUpstreams(topology) }
      : {}),
    DB_MIGRATE: 'true',
    // A local webhook bot (http://127.0.0.1:…) is the usual way to try one out in development.
    BOTS_ALLOW_PRIVATE_WEBHOOKS: process.env.BOTS_ALLOW_PRIVATE_WEBHOOKS || 'true',
  };
}

/** Starts one service and prints its output, one readable line per log line. */
function startService(service, index, natsUrl, nameWidth, topology) {
  const entry = spawnBackground(service.name, 'service', process.execPath, [mainFileOf(service)], {
    cwd: ROOT,
    env: serviceEnv(service, natsUrl, topology),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = nameColor(index)(service.name.padEnd(nameWidth));
  const lastLines = [];
  const follow = (stream, out) =>
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      const formatted = formatLogLine(prefix, line, service.name);
      lastLines.push(formatted);
      if (lastLines.length > LAST_LINES) lastLines.shift();
      out.write(`${formatted}\n`);
    });
  follow(entry.child.stdout, process.stdout);
  follow(entry.child.stderr, process.stderr);
  return { ...service, entry, lastLines };
}

function describeExit({ code, signal, error }) {
  if (error) return `could not start: ${error.message}`;
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

/** Waits for every service's /health/ready; fails at once when one of them exits meanwhile. */
async function waitUntilReady(running) {
  say(`Waiting for ${running.map((s) => s.name).join(', ')} to be ready…`);
  await Promise.all(
    running.map(async (service) => {
      const url = `http://127.0.0.1:${service.port}/health/ready`;
      const outcome = await Promise.race([
        waitForHttpOk(url, READY_TIMEOUT_MS).then((ok) => ({ ok })),
        service.entry.exit.then((status) => ({ ok: false, status })),
      ]);
      if (outcome.ok) return;
      const why = outcome.status
        ? describeExit(outcome.status)
        : `did not answer 200 on ${url} within ${READY_TIMEOUT_MS / 1000} s`;
      if (outcome.status) await sleep(200); // let the last lines of output arrive
      const tail = service.lastLines.length > 0 ? service.lastLines.join('\n') : '(no output)';
      throw new UserError(`${service.name} ${why}. Its last lines:\n${tail}`);
    }),
  );
}

/** Once everything runs, a service that dies takes the others down: a half-running system misleads. */
function watchForCrashes(running) {
  for (const service of running) {
    service.entry.exit.then((status) => {
      if (stopping) return;
      printError(`${service.name} ${describeExit(status)}; stopping everything.`);
      shutdown(1);
    });
  }
}

async function devToken(natsUrl) {
  const script = join(ROOT, 'tools', 'scripts', 'token.mjs');
  if (!existsSync(script)) return null;
  const env = serviceEnv({ name: 'token', host: 'token', port: 0 }, natsUrl);
  const result = await capture('token', process.execPath, [script, 'alice'], { cwd: ROOT, env });
  const token = result.stdout.trim();
  if (result.code === 0 && token !== '' && !/\s/.test(token)) return token;
  // Node prints the interesting line of an uncaught error below a source excerpt: pick that one.
  const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
  const reason = lines.find((line) => /Error\b/.test(line)) ?? lines.at(-1) ?? describeExit(result);
  warn(`tools/scripts/token.mjs alice failed: ${reason.trim()}`);
  return null;
}

function printSummary(running, natsUrl, natsProcess, token, topology) {
  const width = Math.max(7, ...running.map((s) => s.name.length));
  const gateway = running.find((s) => s.name === 'gateway');
  const services = running.filter((s) => s !== gateway);
  const origin = `http://127.0.0.1:${gateway.port}`;
  const base = `${origin}/api/chat`;
  const auth = `-H "Authorization: Bearer $TOKEN"`;
  const json = `-H 'content-type: application/json'`;
  // Without a token printed here, the snippet makes its own (which only works from the repo root).
  const tokenLine = token ? `TOKEN=${token}` : `TOKEN=$(node tools/scripts/token.mjs alice)`;
  const natsNote = natsProcess
    ? `started here, log ${relative(ROOT, join(STATE_DIR, 'nats.log'))}`
    : 'already running';
  const lines = [
    '',
    style.bold('Switchboard is running. Open:'),
    '',
    `  ${style.bold(origin)}  ${style.dim('(the demo web client; the API at /api/<service>/<path>, documents at /api/docs, realtime at /ws)')}`,
    '',
    style.dim(`Behind it, topology ${topology.name} (${topology.description ?? 'topologies/'}):`),
    ...services.map(
      (s) =>
        `  ${s.name.padEnd(width)}  http://127.0.0.1:${s.port}  ${style.dim(`(${(s.domains ?? []).join(', ')}; /docs)`)}`,
    ),
    `  ${'nats'.padEnd(width)}  ${natsUrl}  ${style.dim(`(${natsNote})`)}`,
    `  ${'data'.padEnd(width)}  ${relative(ROOT, STATE_DIR)}/  ${style.dim('(rm -rf .switchboard to start afresh)')}`,
    '',
    'A dev token for alice and a first conversation, through the gateway — paste into another shell:',
    '',
    `  ${tokenLine}`,
    `  CONV=$(curl -s -X POST ${base}/conversations ${auth} ${json} -d '{"title":"demo","memberIds":["bob"]}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).id')`,
    `  curl -s -X POST "${base}/conversations/$CONV/messages" ${auth} ${json} -d '{"text":"/echo hi"}'; echo`,
    `  sleep 1   # the echo-bot answers asynchronously`,
    `  curl -s "${base}/conversations/$CONV/messages" ${auth}; echo`,
    '',
    style.dim('Press Ctrl-C to stop.'),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

// ── shutdown ─────────────────────────────────────────────────────────────────────────────────────

/** Stops everything we started, in order, then exits. Safe to call more than once. */
function shutdown(exitCode) {
  shutdownPromise ??= (async () => {
    stopping = true;
    refuseNewProcesses();
    removeRunningState(STATE_DIR);
    // An install or build still running goes first: nothing else is started after it.
    await Promise.all(runningOf('task').map((task) => stop(task, 5_000)));
    const services = runningOf('service');
    if (services.length > 0) say(`Stopping ${services.map((s) => s.name).join(', ')}…`);
    const results = await Promise.all(
      services.map(async (s) => ({ s, status: await stop(s, SERVICE_GRACE_MS) })),
    );
    for (const { s, status } of results) {
      if (status.signal === 'SIGKILL') {
        warn(`${s.name} did not stop within ${SERVICE_GRACE_MS / 1000} s: killed it.`);
      } else if (status.code !== 0) {
        warn(`${s.name} ${describeExit(status)} while stopping.`);
      }
    }
    const nats = runningOf('nats');
    if (nats.length > 0) {
      say('Stopping nats-server…');
      await Promise.all(nats.map((n) => stop(n, NATS_GRACE_MS)));
    }
    if (exitCode === 0) say('Stopped.');
    process.exit(exitCode);
  })();
  return shutdownPromise;
}

function installSignalHandlers() {
  let firstSignalAt = 0;
  const onSignal = (signal) => {
    if (firstSignalAt === 0) {
      firstSignalAt = Date.now();
      process.stdout.write('\n');
      say(`${signal}: shutting down…`);
      shutdown(0);
      return;
    }
    // `npm start` forwards the terminal's Ctrl-C, so one keypress often arrives twice: only a later
    // signal means "stop waiting".
    if (Date.now() - firstSignalAt < 1_000) return;
    warn(`${signal} again: killing everything now.`);
    killAllNow();
    process.exit(1);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, onSignal);
  // Whatever way this process ends, no child outlives it.
  process.on('exit', killAllNow);
  // Writing to a closed terminal or pipe must not crash the shutdown.
  const ignore = () => undefined;
  process.stdout.on('error', ignore);
  process.stderr.on('error', ignore);
  process.on('uncaughtException', (error) => {
    printError(`unexpected error: ${error.stack ?? error}`);
    shutdown(1);
  });
}

// ── main ─────────────────────────────────────────────────────────────────────────────────────────

async function main() {
  installSignalHandlers();
  const options = parseArguments(process.argv.slice(2));
  checkNodeVersion();
  // `||`, not `??`: an empty variable (`NATS_URL= npm start`, a blank line in an env file) is unset.
  const natsUrl = process.env.NATS_URL || DEFAULT_NATS_URL;

  let topology;
  try {
    topology = loadTopology(TOPOLOGIES, options.topology);
  } catch (error) {
    if (error instanceof TopologyError) throw new UserError(error.message);
    throw error;
  }
  const processes = topology.processes;
  await checkPortsFree(processes);
  if (!options.build) checkBuilt(processes, false);
  await ensureDependencies(ROOT);
  const natsProcess = await ensureNats(ROOT, natsUrl);
  if (options.build) {
    await buildServices(hostsOf(topology));
    checkBuilt(processes, true);
  }
  if (stopping) return;

  section(`Starting ${processes.map((s) => s.name).join(', ')} (topology ${topology.name})`);
  mkdirSync(join(STATE_DIR, 'data'), { recursive: true });
  const nameWidth = Math.max(...processes.map((s) => s.name.length));
  const running = processes.map((service, index) =>
    startService(service, index, natsUrl, nameWidth, topology),
  );
  await waitUntilReady(running);
  watchForCrashes(running);

  const token = await devToken(natsUrl);
  if (stopping) return;
  writeRunningState(STATE_DIR, {
    topology: topology.name,
    natsUrl,
    processes: running.map((s) => ({ ...s, pid: s.entry.child.pid })),
  });
  printSummary(running, natsUrl, natsProcess, token, topology);
}

main().catch((error) => {
  // Once stopping, a step failing because we interrupted it is expected, not news.
  if (!stopping) {
    const unexpected = !(error instanceof UserError);
    printError(unexpected ? `unexpected error: ${error.stack ?? error}` : error.message);
  }
  shutdown(1);
});
