import { z } from 'zod';
import { defineRpc } from '../contract';
import { EntityId, Instant, UserId } from '../common/ids';
import { SignalBody } from './signal';

/**
 * Relay a WebRTC signal from one participant of a call to another, as `POST /calls/:id/signal`
 * does, for a realtime edge that received it on the sender's socket. On success it is published
 * as `CallSignal` on `push.calls.signal.v1.<toUserId>` (core NATS, at most once). Refusals are the
 * HTTP route's codes, in its order: `CALLS.CALL_NOT_FOUND`, `CALLS.NOT_A_PARTICIPANT`,
 * `CALLS.CALL_OVER`, `CALLS.INVALID_RECIPIENT` — and then nothing is published.
 */
export const RelaySignal = defineRpc({
  subject: 'rpc.calls.relay-signal.v1',
  request: z
    .object({
      /** The call the signal belongs to. */
      callId: EntityId,
      /**
       * Who sends it. Calls trusts this field: the caller (the realtime edge) must have
       * authenticated the user, as the HTTP route does with the JWT.
       */
      fromUserId: UserId,
      /** The participant it is for: the user token of the push subject it is published on. */
      toUserId: UserId,
      /** The offer, answer or ICE candidate, relayed as it is. */
      signal: SignalBody,
    })
    .strict(),
  result: z
    .object({
      /** When calls published it: the `sentAt` of the `CallSignal` the recipient gets. */
      sentAt: Instant,
    })
    .strict(),
});
