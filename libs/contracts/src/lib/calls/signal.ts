import { z } from 'zod';
import { definePush } from '../contract';
import { EntityId, Instant, UserId } from '../common/ids';

/** WebRTC session descriptions and ICE candidates, relayed as they are (calls does not parse SDP). */
export const SignalBody = z.discriminatedUnion('type', [
  z.object({ type: z.literal('offer'), sdp: z.string().min(1).max(65_536) }).strict(),
  z.object({ type: z.literal('answer'), sdp: z.string().min(1).max(65_536) }).strict(),
  z
    .object({
      type: z.literal('ice-candidate'),
      candidate: z.string().max(2_048),
      sdpMid: z.string().max(64).nullable().optional(),
      sdpMLineIndex: z.number().int().min(0).max(255).nullable().optional(),
    })
    .strict(),
]);
export type SignalBody = z.infer<typeof SignalBody>;

/**
 * A signal from one participant of a call to another, published on
 * `push.calls.signal.v1.<recipient>` (core NATS, not stored): a realtime edge forwards it to the
 * recipient's sockets. Only participants can send them (`POST /calls/:id/signal`).
 */
export const CallSignal = definePush({
  subjectPrefix: 'push.calls.signal.v1',
  payload: z
    .object({
      callId: EntityId,
      fromUserId: UserId,
      toUserId: UserId,
      signal: SignalBody,
      sentAt: Instant,
    })
    .strict(),
});
