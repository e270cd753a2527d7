import { Calls, Chat, type EventContract, Stories } from '@switchboard/contracts';
import { type z } from 'zod';

/** One event the edge forwards, and who may see it, read from the payload the contract validated. */
interface Routed<C extends EventContract = EventContract> {
  contract: C;
  recipients(payload: z.infer<C['payload']>): readonly string[];
}

function route<C extends EventContract>(
  contract: C,
  recipients: (payload: z.infer<C['payload']>) => readonly string[],
): Routed {
  return { contract, recipients } as Routed;
}

const callChange = (payload: { participantIds: string[] }) => payload.participantIds;

/**
 * What the realtime edge pushes, and to whom. The events carry their audience (`memberIds`,
 * `participantIds`, `audienceIds`) so the edge never asks a service who may see one. An event not
 * listed here reaches nobody: a new event is invisible to sockets until someone decides its audience.
 */
export const ROUTED_EVENTS: readonly Routed[] = [
  route(Chat.MessageCreated, (payload) => payload.memberIds),
  route(Chat.MessageEdited, (payload) => payload.memberIds),
  route(Chat.MessageDeleted, (payload) => payload.memberIds),
  route(Chat.ConversationCreated, (payload) =>
    payload.conversation.members.map((member) => member.userId),
  ),
  route(Chat.MemberAdded, (payload) => payload.memberIds),
  // The removed user is no longer among memberIds, but must learn they are out.
  route(Chat.MemberRemoved, (payload) => [...payload.memberIds, payload.userId]),
  route(Chat.MemberRoleChanged, (payload) => payload.memberIds),
  route(Chat.ReceiptUpdated, (payload) => payload.memberIds),
  route(Calls.CallStarted, callChange),
  route(Calls.CallAccepted, callChange),
  route(Calls.CallDeclined, callChange),
  route(Calls.CallMissed, callChange),
  route(Calls.CallCancelled, callChange),
  route(Calls.CallEnded, callChange),
  // The author sees their own story appear on their other devices.
  route(Stories.StoryPosted, (payload) => [...payload.audienceIds, payload.story.authorId]),
  // Expiry names only the author; viewers drop a story at its `expiresAt` without being told.
  route(Stories.StoryExpired, (payload) => [payload.authorId]),
];

const BY_SUBJECT = new Map(ROUTED_EVENTS.map((routed) => [routed.contract.subject, routed]));

/** The contracts the edge reads: `DomainDefinition.reads` (their streams go into the manifest). */
export const READ_EVENTS: readonly EventContract[] = ROUTED_EVENTS.map((routed) => routed.contract);

export type Audience =
  { ok: true; payload: unknown; recipients: ReadonlySet<string> } | { ok: false; reason: string };

/** Validates an event read from a stream and names who may see it; unknown subjects go nowhere. */
export function audienceOf(subject: string, payload: unknown): Audience {
  const routed = BY_SUBJECT.get(subject);
  if (!routed) return { ok: false, reason: 'not forwarded to sockets' };
  const parsed = routed.contract.payload.safeParse(payload);
  if (!parsed.success) return { ok: false, reason: 'payload does not match its contract' };
  return { ok: true, payload: parsed.data, recipients: new Set(routed.recipients(parsed.data)) };
}
