import { startTcpProxy, type TcpProxy, waitFor } from '@switchboard/platform-testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { openConversation, postSequence } from './support/chat-load';
import { checkExactlyOnce, consumerFigures, printFigures, seconds } from './support/probes';
import { type FaultWorld, startFaultWorld } from './support/world';

const RATE_PER_SECOND = 100;
const MESSAGES = 3_500;
const CUT_AFTER_MS = 5_000;
const CUT_MS = 20_000;

/**
 * The ledger's database becomes unreachable for 20 s while events keep arriving: a TCP proxy between
 * the ledger and its Postgres database breaks every connection and black-holes new ones (a network
 * partition; the shared Postgres itself never stops). The ledger must stay alive, say 503 on
 * `/health/ready` for the whole cut, and afterwards book every event exactly once — which also shows
 * that no event was acked before its transaction committed.
 */
describe('fault injection: the consumer loses its database for 20 s', () => {
  let world: FaultWorld;
  let proxy: TcpProxy | undefined;

  beforeAll(async () => {
    world = await startFaultWorld(async (env) => {
      const direct = new URL(env.databases['ledger'].url);
      proxy = await startTcpProxy({
        targetHost: direct.hostname,
        targetPort: Number(direct.port || 5432),
      });
      const viaProxy = new URL(direct.toString());
      viaProxy.hostname = proxy.host;
      viaProxy.port = String(proxy.port);
      return { DATABASE_URL: viaProxy.toString() };
    });
  }, 90_000);

  afterAll(async () => {
    await proxy?.restore().catch(() => undefined);
    const codes = await world?.stop();
    await proxy?.stop();
    expect(codes).toEqual([0, 0]);
  }, 60_000);

  it('stays alive, reports not ready, and loses nothing while its database is unreachable', async () => {
    const cutProxy = proxy as TcpProxy;
    const ledger = world.ledger;
    let ledgerExit: string | undefined;
    void ledger.waitForExit().then((code) => (ledgerExit = `exited with ${code}`));
    const driver = await openConversation(world.chat);

    const started = Date.now();
    const load = postSequence(driver, {
      count: MESSAGES,
      concurrency: 16,
      ratePerSecond: RATE_PER_SECOND,
    });

    await sleep(CUT_AFTER_MS);
    const effectsBeforeCut = await world.ledgerDb.effectCount();
    await cutProxy.cut('blackhole');
    const cutAt = Date.now();
    // A COMMIT Postgres received just before the cut may still finish; nothing after it can.
    await sleep(500);
    const effectsAtCut = await world.ledgerDb.effectCount();

    const readiness: { atMs: number; status: number | string }[] = [];
    while (Date.now() - cutAt < CUT_MS) {
      const probeAt = Date.now() - cutAt;
      readiness.push({ atMs: probeAt, status: await readyStatus(ledger.url) });
      await sleep(Math.max(0, 1_000 - (Date.now() - cutAt - probeAt)));
    }
    const effectsAtRestore = await world.ledgerDb.effectCount();
    await cutProxy.restore();
    const restoredAt = Date.now();
    const aliveThroughCut = ledgerExit === undefined;

    await waitFor(async () => (await readyStatus(ledger.url)) === 200, {
      timeoutMs: 30_000,
      intervalMs: 200,
      message: 'the ledger did not become ready again after the database came back',
    });
    const readyAgainMs = Date.now() - restoredAt;

    const posted = await load;
    expect(posted.failures).toEqual([]);
    const committed = await world.chatDb.messageIds(driver.conversationId);
    await world.waitForQuiet(committed.length, 150_000);
    const caughtUpMs = Date.now() - restoredAt;
    const report = checkExactlyOnce(committed, await world.ledgerDb.effects());
    const consumer = await consumerFigures(world.jsm);
    const notReady = readiness.filter((probe) => probe.status === 503).length;
    const proxyStats = cutProxy.stats();

    printFigures('database unreachable for 20 s under a busy consumer', {
      'events posted (2xx)': `${posted.ackedCount}/${MESSAGES} at ${RATE_PER_SECOND}/s in ${seconds(posted.durationMs)}`,
      cut: `${seconds(restoredAt - cutAt)} black-holed, from ${seconds(cutAt - started)} (${proxyStats.dropped} connections dropped, ${proxyStats.blackholed} held)`,
      'effects before the cut': `${effectsBeforeCut} (${effectsAtCut - effectsBeforeCut} more committing at the cut)`,
      'effects booked during the cut': effectsAtRestore - effectsAtCut,
      '/health/ready during the cut': `${notReady}/${readiness.length} probes 503 (${summarise(readiness)})`,
      'process alive through the cut': aliveThroughCut ? 'yes' : `no: ${ledgerExit}`,
      'ready again after restore': `${readyAgainMs} ms`,
      'booked after the connection returned': report.effects - effectsAtRestore,
      'caught up after restore': seconds(caughtUpMs),
      'total time': seconds(Date.now() - started),
      effects: report.effects,
      'missing (gaps)': report.gaps.length,
      duplicates: report.duplicates.length,
      'deliveries / redeliveries': `${consumer.deliveries} / ${consumer.redeliveries}`,
    });

    expect(aliveThroughCut).toBe(true);
    expect(ledgerExit).toBeUndefined();
    expect(readiness.filter((probe) => probe.status !== 503)).toEqual([]);
    expect(effectsAtRestore).toBe(effectsAtCut);
    expect(report.effects - effectsAtRestore).toBeGreaterThan(0);
    expect(report.gaps).toEqual([]);
    expect(report.duplicates).toEqual([]);
    expect(report.unexpected).toEqual([]);
  }, 300_000);
});

async function readyStatus(url: string): Promise<number | string> {
  try {
    const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(3_000) });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    return error instanceof Error ? error.name : String(error);
  }
}

/** `503×19, 200×1`-style summary of probe results. */
function summarise(probes: { status: number | string }[]): string {
  const counts = new Map<string, number>();
  for (const probe of probes)
    counts.set(String(probe.status), (counts.get(String(probe.status)) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${status}×${count}`).join(', ');
}
