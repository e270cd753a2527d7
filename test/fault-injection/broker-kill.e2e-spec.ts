import { AppError, Chat, CommonErrorCodes } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/platform-messaging';
import { waitFor } from '@switchboard/platform-testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { openConversation, postSequence } from './support/chat-load';
import { checkExactlyOnce, consumerFigures, printFigures, seconds } from './support/probes';
import { type FaultWorld, startFaultWorld } from './support/world';

const MESSAGES = 3_000;
const CONCURRENCY = 8;
/** NATS is killed once chat has acknowledged this many posts. */
const KILL_AFTER_POSTS = 300;
const OUTAGE_MS = 6_000;
const RPC_DEADLINE_MS = 2_000;

async function readiness(url: string): Promise<number | string> {
  try {
    const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(3_000) });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * kill -9 of the broker while chat takes posts. Chat keeps committing messages and outbox rows
 * (posting needs no NATS); once nats-server is back on the same store, the outbox relay publishes
 * the backlog and the ledger's consumer resumes by itself: every message chat acknowledged reaches
 * the ledger exactly once. An RPC sent during the outage fails within its deadline instead of
 * hanging, and is not executed late when the buffered request finally reaches chat.
 */
describe('fault injection: nats-server is killed with SIGKILL while chat publishes', () => {
  let world: FaultWorld;
  let rpc: RpcClient;

  beforeAll(async () => {
    world = await startFaultWorld();
    rpc = new RpcClient(world.nats, { serviceName: 'fault-test', natsUrl: world.env.nats.url });
  }, 90_000);

  afterAll(async () => {
    const codes = await world?.stop();
    expect(codes).toEqual([0, 0]);
  }, 60_000);

  it('delivers every acknowledged message after a restart on the same store, with no manual step', async () => {
    const driver = await openConversation(world.chat);
    const postByRpc = (text: string, timeoutMs: number) =>
      rpc.call(
        Chat.PostMessage,
        {
          conversationId: driver.conversationId,
          sender: { kind: 'system', id: 'fault-test' },
          text,
        },
        { timeoutMs },
      );
    await postByRpc('rpc before the outage', 5_000);

    const started = Date.now();
    let answered = 0;
    const load = postSequence(driver, {
      count: MESSAGES,
      concurrency: CONCURRENCY,
      onProgress: (n) => (answered = n),
    });
    await waitFor(() => answered >= KILL_AFTER_POSTS, { timeoutMs: 60_000, intervalMs: 10 });

    await world.env.nats.kill('SIGKILL');
    const killedAt = Date.now();
    const postsAtKill = answered;

    const rpcStarted = Date.now();
    const rpcOutcome = await postByRpc('rpc during the outage', RPC_DEADLINE_MS).then(
      () => 'answered',
      (error: unknown) => error,
    );
    const rpcElapsedMs = Date.now() - rpcStarted;
    const [chatReady, ledgerReady] = await Promise.all([
      readiness(world.chat.url),
      readiness(world.ledger.url),
    ]);

    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - killedAt)));
    const backlogAtRestart = await world.chatDb.outboxBacklog();
    const postsBeforeRestart = answered;
    await world.env.nats.restart();
    const restartedAt = Date.now();
    const postsDuringOutage = postsBeforeRestart - postsAtKill;

    // Chat's connection reconnects and re-subscribes by itself; the first RPC that works says when.
    await waitFor(
      () =>
        postByRpc('rpc after the outage', 1_000).then(
          () => true,
          () => false,
        ),
      { timeoutMs: 30_000, intervalMs: 100, message: 'RPC did not work again after the restart' },
    );
    const rpcBackMs = Date.now() - restartedAt;

    const posted = await load;
    expect(posted.failures).toEqual([]);
    const committed = await world.chatDb.messageIds(driver.conversationId);
    const committedSet = new Set(committed);
    expect(posted.acked.filter((id) => id === undefined || !committedSet.has(id))).toEqual([]);

    await world.waitForQuiet(committed.length, 120_000);
    const deliveredMs = Date.now() - restartedAt;
    await waitFor(async () => (await world.chatDb.outboxBacklog()) === 0, {
      timeoutMs: 10_000,
      message: 'chat still has unpublished outbox rows',
    });
    const report = checkExactlyOnce(committed, await world.ledgerDb.effects());
    const consumer = await consumerFigures(world.jsm);
    const lateRpcWrites = await world.chatDb.scalar(
      "SELECT count(*) AS value FROM messages WHERE text = 'rpc during the outage'",
    );

    printFigures('nats-server kill -9 while chat publishes', {
      'posts acknowledged (2xx)': `${posted.ackedCount}/${MESSAGES} in ${seconds(posted.durationMs)}: ${postsAtKill} before, ${postsDuringOutage} during, ${MESSAGES - postsBeforeRestart} after the outage`,
      outage: `${seconds(restartedAt - killedAt)} (killed after ${postsAtKill} posts)`,
      'outbox backlog at restart': backlogAtRestart,
      'readiness during outage': `chat ${chatReady}, ledger ${ledgerReady}`,
      'RPC during outage': `${describeOutcome(rpcOutcome)} after ${rpcElapsedMs} ms (deadline ${RPC_DEADLINE_MS} ms)`,
      'RPC works again after': `${rpcBackMs} ms`,
      'late writes of that RPC': lateRpcWrites,
      'all delivered after restart': seconds(deliveredMs),
      'total time': seconds(Date.now() - started),
      'messages committed (incl. RPC)': committed.length,
      effects: report.effects,
      'missing (gaps)': report.gaps.length,
      duplicates: report.duplicates.length,
      'deliveries / redeliveries': `${consumer.deliveries} / ${consumer.redeliveries}`,
    });

    expect(rpcOutcome).toBeInstanceOf(AppError);
    expect([CommonErrorCodes.DEADLINE_EXCEEDED, CommonErrorCodes.UNAVAILABLE]).toContain(
      (rpcOutcome as AppError).code,
    );
    expect(rpcElapsedMs).toBeLessThanOrEqual(RPC_DEADLINE_MS + 250);
    expect(chatReady).toBe(503);
    expect(ledgerReady).toBe(503);
    expect(postsDuringOutage).toBeGreaterThan(0);
    expect(lateRpcWrites).toBe(0);
    expect(report.gaps).toEqual([]);
    expect(report.duplicates).toEqual([]);
    expect(report.unexpected).toEqual([]);
  }, 300_000);
});

function describeOutcome(outcome: unknown): string {
  if (outcome instanceof AppError) return `failed ${outcome.code}`;
  if (outcome instanceof Error) return `failed ${outcome.name}: ${outcome.message}`;
  return String(outcome);
}
