import { Chat } from '@switchboard/contracts';
import { type DeadLetterEntry, DeadLetters } from '@switchboard/platform-messaging';
import { waitFor } from '@switchboard/platform-testing';
import { execFile } from 'node:child_process';
import { workspaceRoot } from '../e2e/services';
import { openConversation, postSequence } from './support/chat-load';
import {
  checkExactlyOnce,
  consumerFigures,
  LEDGER_CONSUMER,
  printFigures,
  seconds,
} from './support/probes';
import { type FaultWorld, startFaultWorld } from './support/world';

const BEHIND = 300;
const MAX_DELIVER = 5;
/** Retries at 100, 200, 400, 800 ms: quick, yet long enough to see later events pass the poison. */
const BACKOFF_MS = 100;

/** Runs `npm run dlq -- <args>` against the suite's nats-server, as an operator would. */
function dlqCli(
  natsUrl: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', 'dlq', '--', ...args],
      { cwd: workspaceRoot, env: { ...process.env, NATS_URL: natsUrl }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * A poison message: the ledger throws on it every time. After EVENTS_MAX_DELIVER attempts it lands
 * in the DLQ with its error, and the events behind it are booked meanwhile (no head-of-line
 * blocking). Then the "fixed" ledger is deployed and the operator replays the entry with the DLQ
 * CLI: the poison event is booked exactly once and the DLQ is empty.
 */
describe('fault injection: a poison message goes to the DLQ and is replayed after the fix', () => {
  let world: FaultWorld;
  let deadLetters: DeadLetters;

  beforeAll(async () => {
    world = await startFaultWorld({
      EVENTS_BACKOFF_MS: String(BACKOFF_MS),
      EVENTS_MAX_DELIVER: String(MAX_DELIVER),
    });
    deadLetters = new DeadLetters(world.nats);
  }, 90_000);

  afterAll(async () => {
    const codes = await world?.stop();
    expect(codes).toEqual([0, 0]);
  }, 60_000);

  let poisonId: string;
  let committed: string[];
  let entry: DeadLetterEntry;

  it(`dead-letters the poison message after ${MAX_DELIVER} attempts, with its error, while later events flow`, async () => {
    const driver = await openConversation(world.chat);
    const started = Date.now();
    const poison = await driver.post('poison pill');
    if (!poison.ok) throw new Error(poison.reason);
    poisonId = poison.messageId;
    const behind = await postSequence(driver, {
      count: BEHIND,
      concurrency: 8,
      text: (seq) => `behind the poison seq=${seq}`,
    });
    expect(behind.failures).toEqual([]);

    await Promise.all([
      waitFor(async () => (await deadLetters.count({ consumer: LEDGER_CONSUMER })) > 0, {
        timeoutMs: 60_000,
        intervalMs: 50,
        message: 'the poison message never reached the DLQ',
      }),
      waitFor(async () => (await world.ledgerDb.bookedMessages()) >= BEHIND, {
        timeoutMs: 60_000,
        intervalMs: 50,
        message: 'the events behind the poison were held up',
      }),
    ]);
    const behindBookedMs = Date.now() - started;
    committed = await world.chatDb.messageIds(driver.conversationId);

    const listed = await dlqCli(world.env.nats.url, [
      'list',
      '--consumer',
      LEDGER_CONSUMER,
      '--json',
    ]);
    expect(listed).toMatchObject({ code: 0 });
    const entries = JSON.parse(listed.stdout) as DeadLetterEntry[];
    expect(entries).toHaveLength(1);
    entry = entries[0];
    const shown = await deadLetters.show(entry.seq);
    const deadLetteredMs = new Date(entry.receivedAt).getTime() - started;
    // No head-of-line blocking: events behind the poison were booked while it was being retried.
    const bookedWhileRetried = await world.ledgerDb.scalar(
      'SELECT count(*) AS value FROM ledger_effects WHERE recorded_at < $1',
      [entry.receivedAt],
    );
    const consumer = await consumerFigures(world.jsm);

    printFigures('poison message → DLQ', {
      'events behind the poison': `${BEHIND} posted in ${seconds(behind.durationMs)}, all booked ${seconds(behindBookedMs)} after the poison was posted`,
      'poison in the DLQ after': `${deadLetteredMs} ms (max deliver ${MAX_DELIVER}, backoff ${BACKOFF_MS} ms doubling)`,
      'booked while the poison was retried': bookedWhileRetried,
      'DLQ entry': `seq ${entry.seq}, ${entry.attempts} attempts, "${entry.error}"`,
      'deliveries / redeliveries': `${consumer.deliveries} / ${consumer.redeliveries}`,
      'poison effects': await world.ledgerDb.effectsOf(poisonId),
    });

    expect(entry).toMatchObject({
      consumer: LEDGER_CONSUMER,
      subject: Chat.MessageCreated.subject,
      stream: 'CHAT',
      attempts: MAX_DELIVER,
    });
    expect(entry.error).toContain(`ledger cannot book poison message ${poisonId}`);
    expect(shown.payload).toMatchObject({ message: { id: poisonId, text: 'poison pill' } });
    expect(bookedWhileRetried).toBeGreaterThan(0);
    expect(consumer.redeliveries).toBe(MAX_DELIVER - 1);
    expect(await world.ledgerDb.effectsOf(poisonId)).toBe(0);
  }, 120_000);

  it('terminates the dead-lettered delivery: the consumer holds nothing unacknowledged', async () => {
    // Once an event is in the DLQ the server must forget the delivery (the transport terms it);
    // otherwise it comes back every ack wait, is dead-lettered again (a new DLQ entry once the
    // duplicate window has passed) and holds one of the consumer's max_ack_pending slots for good.
    let last = '';
    await waitFor(
      async () => {
        const consumer = await consumerFigures(world.jsm);
        last = JSON.stringify(consumer);
        return consumer.ackPending === 0 && consumer.pending === 0;
      },
      {
        timeoutMs: 5_000,
        intervalMs: 100,
        message: () =>
          `the dead-lettered poison delivery is still pending on the consumer: ${last}`,
      },
    );
  }, 30_000);

  it('books the poison exactly once after the fix and `npm run dlq -- replay <seq>`', async () => {
    const started = Date.now();
    const stopCode = await world.ledger.stop();
    expect(stopCode).toBe(0);
    await world.startLedger({ LEDGER_FIX_POISON: 'true' });
    const replayStarted = Date.now();
    const replayed = await dlqCli(world.env.nats.url, ['replay', String(entry.seq)]);
    expect(replayed).toMatchObject({ code: 0 });
    expect(replayed.stdout).toContain(`Replayed DLQ seq ${entry.seq}`);

    await waitFor(async () => (await world.ledgerDb.effectsOf(poisonId)) > 0, {
      timeoutMs: 30_000,
      intervalMs: 50,
      message: 'the replayed poison event was not booked',
    });
    const bookedAfterReplayMs = Date.now() - replayStarted;
    await world.waitForQuiet(committed.length, 60_000);
    const againAfterReplay = await dlqCli(world.env.nats.url, ['replay', String(entry.seq)]);
    const report = checkExactlyOnce(committed, await world.ledgerDb.effects());
    const dlqLeft = await deadLetters.count({ consumer: LEDGER_CONSUMER });
    const consumer = await consumerFigures(world.jsm);

    printFigures('poison message: fix → replay', {
      'replay (npm run dlq -- replay)': `exit ${replayed.code}, booked ${bookedAfterReplayMs} ms later`,
      'second replay of the same seq': `exit ${againAfterReplay.code}: ${againAfterReplay.stderr.trim()}`,
      'DLQ entries left': dlqLeft,
      'poison effects': await world.ledgerDb.effectsOf(poisonId),
      'deliveries / redeliveries': `${consumer.deliveries} / ${consumer.redeliveries}`,
      'fix + replay time': seconds(Date.now() - started),
      effects: report.effects,
      'missing (gaps)': report.gaps.length,
      duplicates: report.duplicates.length,
    });

    expect(await world.ledgerDb.effectsOf(poisonId)).toBe(1);
    expect(againAfterReplay.code).toBe(1); // the entry is gone once replayed
    expect(dlqLeft).toBe(0);
    expect(report.gaps).toEqual([]);
    expect(report.duplicates).toEqual([]);
    expect(report.unexpected).toEqual([]);
  }, 120_000);
});
