import { type Calls } from '@switchboard/contracts';
import { callMessageText, formatCallDuration } from './post-call-message.use-case';

describe('formatCallDuration', () => {
  it.each([
    [0, '0s'],
    [42, '42s'],
    [60, '1m 0s'],
    [192, '3m 12s'],
    [3600, '1h 0m 0s'],
    [3725, '1h 2m 5s'],
    [90_061, '25h 1m 1s'],
  ])('%i s → %s', (seconds, text) => {
    expect(formatCallDuration(seconds)).toBe(text);
  });
});

describe('callMessageText', () => {
  const call = (overrides: Partial<Calls.CallView>): Calls.CallView => ({
    id: '0190a1b2-0000-7000-8000-000000000001',
    conversationId: '0190a1b2-0000-7000-8000-000000000002',
    callerId: 'alice',
    inviteeIds: ['bob'],
    state: 'ended',
    acceptedBy: 'bob',
    createdAt: '2026-11-26T12:00:00.000Z',
    ringsUntil: '2026-11-26T12:00:30.000Z',
    answeredAt: '2026-11-26T12:00:05.000Z',
    endedAt: '2026-11-26T12:03:17.000Z',
    durationSeconds: 192,
    ...overrides,
  });

  it('says what happened to the call, with its duration when it had one', () => {
    expect(callMessageText(call({ state: 'missed', durationSeconds: null }))).toBe('Missed call');
    expect(callMessageText(call({}))).toBe('Call ended · 3m 12s');
    expect(callMessageText(call({ state: 'failed', durationSeconds: 42 }))).toBe(
      'Call failed · 42s',
    );
    expect(callMessageText(call({ durationSeconds: null }))).toBe('Call ended');
  });
});
