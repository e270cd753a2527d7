// `.switchboard/running.json`: what `npm start` runs now — the topology and, per process, its
// name, host, domains, URL and pid — for tools that look at the running system (the course's
// checkpoints, tools/course) without being told ports. Written once everything is ready, removed
// at shutdown. Plain Node: `npm start` runs before dependencies are installed.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function runningStateFile(stateDir) {
  return join(stateDir, 'running.json');
}

/** `processes`: `{ name, host, domains, port, pid }` of every process, the gateway's included. */
export function writeRunningState(stateDir, { topology, natsUrl, processes }) {
  const url = (port) => `http://127.0.0.1:${port}`;
  const gateway = processes.find((p) => p.host === 'gateway');
  const state = {
    topology,
    startedAt: new Date().toISOString(),
    pid: process.pid,
    natsUrl,
    gateway: url(gateway.port),
    processes: processes.map(({ name, host, domains, port, pid }) => ({
      name,
      host,
      domains: domains ?? [],
      url: url(port),
      pid,
    })),
  };
  writeFileSync(runningStateFile(stateDir), `${JSON.stringify(state, null, 2)}\n`);
}

/** Removes the file if this process wrote it (a second `npm start`, refused at its ports, must not). */
export function removeRunningState(stateDir) {
  const file = runningStateFile(stateDir);
  try {
    if (JSON.parse(readFileSync(file, 'utf8')).pid === process.pid) rmSync(file);
  } catch {
    // absent or unreadable: nothing of ours to remove
  }
}

/** The state `npm start` wrote; throws saying what is missing when it is not that. */
export function parseRunningState(text) {
  const state = JSON.parse(text);
  const valid =
    typeof state?.gateway === 'string' &&
    Array.isArray(state.processes) &&
    state.processes.every((p) => typeof p?.name === 'string' && typeof p?.url === 'string');
  if (!valid) throw new Error('expected {gateway, processes: [{name, url, …}]}');
  return state;
}
