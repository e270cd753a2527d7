// Small TCP/HTTP probes used before and while starting things.
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** True when something accepts TCP connections on host:port. */
export function canConnect(host, port, timeoutMs = 1_000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (result) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function canListen(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    // No host: the IPv6/IPv4 wildcard, which clashes with a listener on any local address.
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * True when a TCP port is taken on this machine. Both checks are needed: connecting finds a server
 * on 127.0.0.1 on every OS, binding finds one on another local address.
 */
export async function isPortInUse(port) {
  return (await canConnect('127.0.0.1', port, 500)) || !(await canListen(port));
}

/**
 * What answers on host:port: `none` (nothing accepts connections), `nats` (a NATS server, which
 * greets every client with an `INFO {...}` line; `info` is that JSON) or `other`.
 */
export function probeNats(host, port, timeoutMs = 1_500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let connected = false;
    let received = '';
    const done = (result) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done({ state: connected ? 'other' : 'none' }));
    socket.once('connect', () => (connected = true));
    socket.once('error', () => done({ state: connected ? 'other' : 'none' }));
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n');
      if (end === -1 && received.length < 64 * 1024) return;
      const match = /^INFO\s+(\{.*\})\s*$/.exec(received.slice(0, end === -1 ? undefined : end));
      if (!match) return done({ state: 'other' });
      try {
        done({ state: 'nats', info: JSON.parse(match[1]) });
      } catch {
        done({ state: 'other' });
      }
    });
  });
}

/** Polls `url` until it answers 200. Resolves true, or false once `timeoutMs` has passed. */
export async function waitForHttpOk(url, timeoutMs, intervalMs = 300) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.status === 200) return true;
    } catch {
      // not listening yet, or too slow to answer: try again
    }
    await sleep(intervalMs);
  }
  return false;
}
