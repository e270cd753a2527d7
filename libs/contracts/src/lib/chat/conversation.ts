import { z } from 'zod';
import { EntityId, Instant, UserId } from '../common/ids';

/** `direct`: exactly two people, one conversation per pair. `group`: a title, an owner, admins. */
export const ConversationKind = z.enum(['direct', 'group']);
export type ConversationKind = z.infer<typeof ConversationKind>;

/**
 * Admins add and remove members and install bots. Both members of a direct conversation are
 * admins of it (nobody else can join a direct conversation).
 */
export const MemberRole = z.enum(['admin', 'member']);
export type MemberRole = z.infer<typeof MemberRole>;

export const GROUP_TITLE_MAX = 100;
export const GROUP_MEMBERS_MAX = 100;

export const MemberView = z
  .object({
    userId: UserId,
    role: MemberRole,
    joinedAt: Instant,
  })
  .strict();
export type MemberView = z.infer<typeof MemberView>;

/** A conversation with its current members. */
export const ConversationView = z
  .object({
    id: EntityId,
    kind: ConversationKind,
    /** Group title; null for direct conversations. */
    title: z.string().nullable(),
    /** Who created it. */
    ownerId: UserId,
    createdAt: Instant,
    /** Current members, oldest first. */
    members: z.array(MemberView),
  })
  .strict();
export type ConversationView = z.infer<typeof ConversationView>;

/**
 * Who a change concerns: the conversation's members right after it. Events carry them so a
 * realtime edge can push the event to those users without calling chat back.
 */
export const MemberIds = z.array(UserId).describe('Members to notify');
