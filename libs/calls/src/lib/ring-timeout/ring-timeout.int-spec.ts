import { Calls } from '@switchboard/contracts';
import { waitFor } from '@switchboard/platform-testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { CallsHarness } from '../testing/calls-test-harness';

jest.setTimeout(30_000);

const RING_TIMEOUT_MS = 1_500;

/** The ring time-out job with a short time-out, across a restart of the service. */
describe('ring time-out', () => {
  const calls = new CallsHarness({ CALLS_RING_TIMEOUT_MS: String(RING_TIMEOUT_MS) });

  beforeAll(() => calls.start());
  afterAll(() => calls.stop());

  const state = async (callId: string, user: string) =>
    (
      (await calls.http().get(`/calls/${callId}`).set(calls.as(user)).expect(200))
        .body as Calls.CallView
    ).state;

  it('makes a call nobody answers missed at its due time, announces it and frees the caller', async () => {
    const call = await calls.call('alice', ['bob', 'carol']);
    expect(Date.parse(call.ringsUntil) - Date.parse(call.createdAt)).toBe(RING_TIMEOUT_MS);
    const [missed] = await calls.waitForEvents(Calls.CallMissed, (e) => e.call.id === call.id);
    const lateBy = Date.now() - Date.parse(call.ringsUntil);
    // Not early, and within about a second of the due time (correctness, not a benchmark).
    expect(Date.parse(missed.call.endedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(call.ringsUntil),
    );
    expect(lateBy).toBeLessThan(1_500);
    expect(missed).toMatchObject({
      call: { id: call.id, state: 'missed', durationSeconds: null, acceptedBy: null },
      participantIds: ['alice', 'bob', 'carol'],
    });
    expect(await state(call.id, 'bob')).toBe('missed');
    const accept = await calls.act(call.id, 'accept', 'bob').expect(409);
    expect(accept.body.details).toMatchObject({ from: 'missed', to: 'active' });
    // alice is free again.
    const next = await calls.call('alice', ['bob']);
    await calls.act(next.id, 'cancel', 'alice').expect(200);
  });

  it('leaves an answered call alone', async () => {
    const call = await calls.call('dave', ['eve']);
    await calls.act(call.id, 'accept', 'eve').expect(200);
    await sleep(RING_TIMEOUT_MS + 700);
    expect(await state(call.id, 'dave')).toBe('active');
    await calls.act(call.id, 'hangup', 'dave').expect(200);
    expect(calls.published(Calls.CallMissed, (e) => e.call.id === call.id)).toEqual([]);
  });

  it('misses a call that was ringing while the service restarted, once', async () => {
    const call = await calls.call('fay', ['gus']);
    await calls.waitForEvents(Calls.CallStarted, (e) => e.call.id === call.id);
    await calls.app.close();
    await sleep(RING_TIMEOUT_MS + 500); // due while no calls instance runs
    expect(calls.published(Calls.CallMissed, (e) => e.call.id === call.id)).toEqual([]);
    await calls.startApp();
    await calls.waitForEvents(Calls.CallMissed, (e) => e.call.id === call.id);
    expect(await state(call.id, 'gus')).toBe('missed');
    await sleep(1_000);
    expect(calls.published(Calls.CallMissed, (e) => e.call.id === call.id)).toHaveLength(1);
  });

  it('misses a call exactly once when two instances share the database', async () => {
    const second = await calls.secondApp();
    try {
      const started = await Promise.all(
        ['hal', 'ivy', 'jo'].map((caller) => calls.call(caller, ['kim'])),
      );
      await waitFor(
        () =>
          started.every(
            (call) => calls.published(Calls.CallMissed, (e) => e.call.id === call.id).length > 0,
          ),
        { timeoutMs: 5_000, message: 'not all calls missed' },
      );
      await sleep(1_000);
      for (const call of started) {
        expect(calls.published(Calls.CallMissed, (e) => e.call.id === call.id)).toHaveLength(1);
      }
    } finally {
      await second.close();
    }
  });
});
