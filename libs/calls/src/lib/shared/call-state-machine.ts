import { Calls, type EventContract } from '@switchboard/contracts';

/** Every legal change of state; anything else is `CALLS.ILLEGAL_TRANSITION`. */
export const TRANSITIONS: Readonly<Record<Calls.CallState, readonly Calls.CallState[]>> = {
  ringing: ['active', 'declined', 'missed', 'cancelled'],
  active: ['ended', 'failed'],
  ended: [],
  failed: [],
  declined: [],
  missed: [],
  cancelled: [],
};

/** Ringing and active calls keep their people busy and may carry signals. */
export function isLive(state: Calls.CallState): boolean {
  return state === 'ringing' || state === 'active';
}

export function canTransition(from: Calls.CallState, to: Calls.CallState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The event announcing that a call reached `state` (`failed` is an `ended` event too). */
export const EVENT_OF_STATE: Readonly<Record<Calls.CallState, EventContract>> = {
  ringing: Calls.CallStarted,
  active: Calls.CallAccepted,
  declined: Calls.CallDeclined,
  missed: Calls.CallMissed,
  cancelled: Calls.CallCancelled,
  ended: Calls.CallEnded,
  failed: Calls.CallEnded,
};
