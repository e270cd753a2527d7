import { waitFor } from '@switchboard/platform-testing';
import { openConversation, postSequence } from './support/chat-load';
import { checkExactlyOnce, consumerFigures, printFigures, seconds } from './support/probes';
import { type FaultWorld, startFaultWorld } from './support/world';

const EVENTS = 5_000;
const CONCURRENCY = 16;
/** The consumer is killed once it has booked this many, i.e. in the middle of the flow. */
const KILL_AFTER_EFFECTS = 1_500;

/**
 * kill -9 of a consumer in the middle of 5,000 events. Whatever it had pulled but not acked is
 * redelivered to the next process (after the consumer's ack wait), whatever it had committed but not
 * acked is stopped by its inbox: every event chat committed has exactly one effect.
 */
describe('fault injection: the consumer is killed with SIGKILL under load', () => {
  let world: FaultWorld;

  beforeAll(async () => {
    world = await startFaultWorld();
  }, 90_000);

  afterAll(async () => {
    const codes = await world?.stop();
    expect(codes).toEqual([0, 0]);
  }, 60_000);

  it(`books each of ${EVENTS} events exactly once across a kill -9 and a restart`, async () => {
    const driver = await openConversation(world.chat);
    const started = Date.now();
    let answered = 0;
    const load = postSequence(driver, {
      count: EVENTS,
      concurrency: CONCURRENCY,
      onProgress: (n) => (answered = n),
    });

    await waitFor(async () => (await world.ledgerDb.effectCount()) >= KILL_AFTER_EFFECTS, {
      timeoutMs: 120_000,
      intervalMs: 20,
      message: `the ledger never booked ${KILL_AFTER_EFFECTS} events`,
    });
    const killedAfterMs = Date.now() - started;
    const postsAnsweredAtKill = answered;
    const exit = await world.ledger.stop('SIGKILL');
    const effectsAtKill = await world.ledgerDb.effectCount();
    const restartStarted = Date.now();
    await world.startLedger();
    const restartMs = Date.now() - restartStarted;

    const posted = await load;
    expect(posted.failures).toEqual([]);
    // Killed while events were still flowing, not after the fact.
    expect(exit).toBeNull();
    expect(effectsAtKill).toBeLessThan(EVENTS);

    const committed = await world.chatDb.messageIds(driver.conversationId);
    expect(committed).toHaveLength(EVENTS);
    expect(new Set(committed)).toEqual(new Set(posted.acked));

    await world.waitForQuiet(committed.length, 150_000);
    const caughtUpMs = Date.now() - restartStarted;
    const report = checkExactlyOnce(committed, await world.ledgerDb.effects());
    const consumer = await consumerFigures(world.jsm);

    printFigures('consumer kill -9 under load', {
      'events posted (2xx)': `${posted.ackedCount}/${EVENTS} at concurrency ${CONCURRENCY} in ${seconds(posted.durationMs)} (${Math.round((posted.ackedCount * 1_000) / posted.durationMs)}/s)`,
      'killed at': `${seconds(killedAfterMs)}: ${effectsAtKill} effects booked, ${postsAnsweredAtKill} posts answered`,
      'restart until ready': `${restartMs} ms`,
      'restart until caught up': seconds(caughtUpMs),
      'total time': seconds(Date.now() - started),
      effects: report.effects,
      'missing (gaps)': report.gaps.length,
      duplicates: report.duplicates.length,
      'booked on a redelivery': report.committedOnRedelivery,
      'deliveries / redeliveries': `${consumer.deliveries} / ${consumer.redeliveries}`,
    });
    expect(report.gaps).toEqual([]);
    expect(report.duplicates).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(report.effects).toBe(EVENTS);
  }, 300_000);
});
