import { Gateway } from '@switchboard/contracts';
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type KV, type NatsConnection } from 'nats';
import { isAlive } from '../releases/release-store';
import { gatewayReadiness, POLL_MS, trafficProblem, upstreamsState } from '../run/gate';
import { type LocalEnvironment } from './local-environment';

/**
 * The `local` target: releases run as processes on this machine, next to each other on their own
 * ports, and traffic moves between them through the gateway's upstreams bucket.
 */
export class LocalTarget {
  private constructor(
    private readonly environment: LocalEnvironment,
    private readonly nats: NatsConnection,
    private readonly kv: KV,
  ) {}

  static async open(environment: LocalEnvironment): Promise<LocalTarget> {
    const nats = await connect({ servers: environment.natsUrl, name: 'deploy' }).catch(
      (error: Error) => {
        throw new Error(`Cannot reach NATS at ${environment.natsUrl}: ${error.message}`);
      },
    );
    // Created here on first use: the gateway binds to it once it exists.
    const kv = await nats.jetstream().views.kv(Gateway.UPSTREAMS_BUCKET, { history: 10 });
    return new LocalTarget(environment, nats, kv);
  }

  async close(): Promise<void> {
    await this.nats.close();
  }

  /** Starts `node main.js` of a release, detached (it outlives `deploy`), its output in `logs/`. */
  async start(
    appDir: string,
    logDir: string,
    env: Record<string, string>,
  ): Promise<{ pid: number; url: string }> {
    const port = await freePort();
    mkdirSync(logDir, { recursive: true });
    const log = openSync(
      join(logDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${port}.log`),
      'a',
    );
    try {
      const child = spawn(process.execPath, ['main.js'], {
        cwd: appDir,
        detached: true,
        stdio: ['ignore', log, log],
        env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
      });
      child.unref();
      if (child.pid === undefined) throw new Error('the process did not start');
      return { pid: child.pid, url: `http://127.0.0.1:${port}` };
    } finally {
      closeSync(log);
    }
  }

  /** Resolves once `/health/ready` answers 200; throws if the process exits or time runs out. */
  async waitReady(url: string, pid: number): Promise<void> {
    const until = Date.now() + this.environment.readyTimeoutSeconds * 1_000;
    let last = 'no answer yet';
    while (Date.now() < until) {
      if (!isAlive(pid)) throw new Error(`the process exited before it was ready (${last})`);
      last = await readiness(url);
      if (last === '200') return;
      await sleep(POLL_MS);
    }
    throw new Error(
      `not ready within ${this.environment.readyTimeoutSeconds} s (/health/ready: ${last})`,
    );
  }

  /**
   * Points the gateway's traffic for `upstreams` (a process's domains: the monolith is four) at
   * `urls`, and resolves once every gateway replica has applied it (its readiness reports the
   * bucket revision of the last put or a later one).
   */
  async switchTo(
    upstreams: readonly string[],
    urls: string[],
    release: string | undefined,
  ): Promise<void> {
    const entry = JSON.stringify(Gateway.UpstreamsEntry.parse({ urls, release }));
    let revision = 0;
    for (const upstream of upstreams) revision = await this.kv.put(upstream, entry);
    await this.applied(revision);
  }

  /** Hands a process's upstreams back to the gateway's configured ones. */
  async switchToConfigured(upstreams: readonly string[]): Promise<void> {
    let revision = 0;
    for (const upstream of upstreams) {
      await this.kv.delete(upstream);
      // The delete is itself an entry (a marker) with its own revision.
      revision = Math.max(revision, (await this.kv.get(upstream))?.revision ?? 0);
    }
    await this.applied(revision);
  }

  /**
   * Watches the release for `seconds`: its readiness, and the 5xx share of what the gateway got
   * for its upstreams together. Resolves undefined when healthy, or the reason it is not.
   */
  async gate(upstreams: readonly string[], url: string, pid: number): Promise<string | undefined> {
    const until = Date.now() + this.environment.gateSeconds * 1_000;
    do {
      if (!isAlive(pid)) return 'the process exited';
      const ready = await readiness(url);
      if (ready !== '200') return `/health/ready answered ${ready}`;
      // The gateway's counts start at the switch: they are this release's alone.
      const seen = await gatewayReadiness(this.environment.gateways[0] as string);
      const traffic = seen && upstreamsState(seen, upstreams).traffic;
      const problem = trafficProblem(traffic, this.environment);
      if (problem) return problem;
      await sleep(POLL_MS);
    } while (Date.now() < until);
    return undefined;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs`; resolves once it is gone. */
  async stop(pid: number | undefined, timeoutMs = 20_000): Promise<void> {
    if (!isAlive(pid)) return;
    process.kill(pid as number, 'SIGTERM');
    const until = Date.now() + timeoutMs;
    while (isAlive(pid) && Date.now() < until) await sleep(100);
    if (isAlive(pid)) process.kill(pid as number, 'SIGKILL');
    while (isAlive(pid)) await sleep(50);
  }

  private async applied(revision: number): Promise<void> {
    const until = Date.now() + 30_000;
    for (const gateway of this.environment.gateways) {
      for (;;) {
        const seen = (await gatewayReadiness(gateway))?.details?.upstreams?.revision ?? -1;
        if (seen >= revision) break;
        if (Date.now() > until) {
          throw new Error(
            `the gateway ${gateway} did not apply revision ${revision} within 30 s (it is at ${seen})`,
          );
        }
        await sleep(POLL_MS);
      }
    }
  }
}

async function readiness(url: string): Promise<string> {
  try {
    const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return String(response.status);
  } catch (error) {
    return (error as Error).name === 'TimeoutError' ? 'timeout' : 'no answer';
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
