// Every child process `npm start` spawns is tracked here, so that every way out — Ctrl-C, a failed
// step, a crash of this script — stops all of them and nothing is left behind.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Every child is started in its own process group (`detached`), and signals go to the whole group.
 * - A terminal Ctrl-C then reaches only this script, which stops the children in order — services
 *   first, NATS last — instead of everything dying at once (services would lose NATS mid-drain).
 * - Signalling the group reaches grandchildren too: `npx nx` is npm → sh → nx → executors → workers,
 *   and a SIGTERM to npm alone leaves nx and its workers running. Descendants that started a group
 *   of their own (nx's plugin workers do) are found in the process table and signalled one by one.
 *
 * @typedef {object} Tracked
 * @property {string} name
 * @property {'task' | 'service' | 'nats'} kind
 * @property {import('node:child_process').ChildProcess} child  leader of its own process group
 * @property {Promise<{ code: number | null, signal: string | null, error?: Error }>} exit
 * @property {boolean} exited
 */

/** @type {Set<Tracked>} */
const tracked = new Set();
let refusing = false;

/** From now on spawning throws: shutdown has begun, and a step still running must not start more. */
export function refuseNewProcesses() {
  refusing = true;
}

function spawnTracked(name, kind, command, args, options) {
  if (refusing) throw new Error(`not starting ${name}: shutting down`);
  const child = spawn(command, args, { ...options, detached: true });
  return track(name, kind, child);
}

function track(name, kind, child) {
  /** @type {Tracked} */
  const entry = { name, kind, child, exited: false, exit: undefined };
  entry.exit = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // Spawn failures (ENOENT, EACCES) emit 'error' and no 'exit'.
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
  }).then((status) => {
    entry.exited = true;
    tracked.delete(entry);
    return status;
  });
  tracked.add(entry);
  return entry;
}

/** pid → { ppid, pgid } of every process, from /proc (Linux) or `ps` (macOS); empty if neither works. */
function processTable() {
  const table = new Map();
  try {
    if (existsSync('/proc/self/stat')) {
      for (const name of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
        try {
          // "pid (comm) state ppid pgrp ...": comm may contain spaces and parentheses.
          const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
          const [, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          table.set(Number(name), { ppid: Number(ppid), pgid: Number(pgid) });
        } catch {
          // exited while we were reading
        }
      }
    } else {
      const out = execFileSync('ps', ['-A', '-o', 'pid=', '-o', 'ppid=', '-o', 'pgid='], {
        encoding: 'utf8',
      });
      for (const line of out.trim().split('\n')) {
        const [pid, ppid, pgid] = line.trim().split(/\s+/).map(Number);
        table.set(pid, { ppid, pgid });
      }
    }
  } catch {
    // no process table: the group signal alone still reaches nearly everything
  }
  return table;
}

/** Descendants of the group leader `pid` that have left its process group. */
function strayDescendants(pid) {
  const table = processTable();
  const strays = [];
  const visit = (parent) => {
    for (const [child, { ppid, pgid }] of table) {
      if (ppid !== parent) continue;
      if (pgid !== pid) strays.push(child);
      visit(child);
    }
  };
  visit(pid);
  return strays;
}

function kill(target, sig) {
  try {
    process.kill(target, sig);
  } catch (error) {
    if (error.code !== 'ESRCH') throw error; // already gone
  }
}

/** Sends `sig` to the entry's process group, and to the given strays that left it. */
function signal(entry, sig, strays = []) {
  if (entry.child.pid === undefined) return; // never started
  kill(-entry.child.pid, sig);
  for (const pid of strays) kill(pid, sig);
}

/**
 * Runs a step (npm ci, apt-get, the build) with its output straight to the terminal.
 * Resolves to its exit status.
 */
export function runTask(name, command, args, { cwd, env }) {
  return spawnTracked(name, 'task', command, args, {
    cwd,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  }).exit;
}

/** Runs a short command and resolves to its exit status and captured output. */
export async function capture(name, command, args, { cwd, env, timeoutMs = 15_000 }) {
  const entry = spawnTracked(name, 'task', command, args, {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { child } = entry;
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => signal(entry, 'SIGKILL'), timeoutMs);
  const status = await entry.exit;
  clearTimeout(timer);
  return { ...status, stdout, stderr };
}

/** Starts a long-running child: a service, or nats-server. */
export function spawnBackground(name, kind, command, args, { cwd, env, stdio }) {
  return spawnTracked(name, kind, command, args, { cwd, env, stdio });
}

/** SIGTERM, then SIGKILL after `graceMs`. Resolves once the process has exited. */
export async function stop(entry, graceMs) {
  // Found before signalling: once their parent is gone they hang off init and can't be told apart.
  const strays = entry.exited ? [] : strayDescendants(entry.child.pid);
  if (!entry.exited) {
    signal(entry, 'SIGTERM', strays);
    const stopped = await Promise.race([
      entry.exit.then(() => true),
      sleep(graceMs).then(() => false),
    ]);
    if (!stopped) {
      signal(entry, 'SIGKILL', strays);
      await Promise.race([entry.exit, sleep(2_000)]);
    }
  }
  // Whatever the process left behind (it should leave nothing) goes too. The group id cannot have
  // been reused while members remain: Linux does not hand out a pid that is some group's id.
  signal(entry, 'SIGKILL', strays.filter(isAlive));
  return !entry.exited ? { code: null, signal: 'SIGKILL' } : entry.exit;
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The tracked processes of one kind that are still running. */
export function runningOf(kind) {
  return [...tracked].filter((entry) => entry.kind === kind);
}

/** Last resort from the `exit` event (synchronous): kill whatever is still running. */
export function killAllNow() {
  for (const entry of tracked) signal(entry, 'SIGKILL', strayDescendants(entry.child.pid));
}
