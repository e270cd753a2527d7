import { z } from 'zod';
import { defineEvent } from '../contract';
import { UserId } from '../common/ids';
import { CallView } from './call';

/**
 * Every call event carries the call after the change and `participantIds` (caller and invitees), so
 * a realtime edge can push it to them without calling back.
 */
const CallChange = z
  .object({ call: CallView, participantIds: z.array(UserId).describe('Users to notify') })
  .strict();

/** A call started ringing. */
export const CallStarted = defineEvent({
  subject: 'evt.calls.call.started.v1',
  payload: CallChange,
});

/** An invitee accepted: the call is active. */
export const CallAccepted = defineEvent({
  subject: 'evt.calls.call.accepted.v1',
  payload: CallChange,
});

/** The invitees declined (all of them, in a group) before anyone accepted. */
export const CallDeclined = defineEvent({
  subject: 'evt.calls.call.declined.v1',
  payload: CallChange,
});

/** Nobody answered before the ring time-out. Chat posts "Missed call". */
export const CallMissed = defineEvent({ subject: 'evt.calls.call.missed.v1', payload: CallChange });

/** The caller hung up while it was still ringing. */
export const CallCancelled = defineEvent({
  subject: 'evt.calls.call.cancelled.v1',
  payload: CallChange,
});

/**
 * An active call is over: hung up (`ended`) or broken (`failed`); `call.durationSeconds` says how
 * long it lasted. Chat posts "Call ended · 3m 12s".
 */
export const CallEnded = defineEvent({ subject: 'evt.calls.call.ended.v1', payload: CallChange });
