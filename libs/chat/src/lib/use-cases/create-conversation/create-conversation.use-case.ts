import { Injectable } from '@nestjs/common';
import { Chat } from '@switchboard/contracts';
import { Outbox } from '@switchboard/platform-messaging';
import { isUniqueViolation, uuidv7 } from '@switchboard/platform-persistence';
import { DataSource, type EntityManager } from 'typeorm';
import { ChatErrors } from '../../chat.errors';
import { ConversationMemberEntity } from '../../entities/conversation-member.entity';
import { ConversationEntity } from '../../entities/conversation.entity';
import { membersOf } from '../../shared/conversation-access';
import { toConversationView } from '../../shared/views';

export type CreateConversationInput =
  | { kind: 'group'; creatorId: string; title: string; memberIds: string[] }
  | { kind: 'direct'; creatorId: string; userId: string };

export interface CreateConversationOutcome {
  conversation: Chat.ConversationView;
  /** False when the direct conversation of the pair already existed. */
  created: boolean;
}

/** The key that makes a direct conversation unique per pair, whoever created it. */
export function directKeyOf(a: string, b: string): string {
  // `/` cannot occur in a user id, so distinct pairs never share a key.
  return [a, b].sort().join('/');
}

@Injectable()
export class CreateConversationUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  async execute(input: CreateConversationInput): Promise<CreateConversationOutcome> {
    if (input.kind === 'group') {
      const conversation = await this.dataSource.transaction((manager) =>
        this.createGroup(manager, input),
      );
      return { conversation, created: true };
    }
    if (input.userId === input.creatorId) throw ChatErrors.directWithSelf();
    const directKey = directKeyOf(input.creatorId, input.userId);
    try {
      return await this.dataSource.transaction((manager) =>
        this.findOrCreateDirect(manager, input.creatorId, input.userId, directKey),
      );
    } catch (error) {
      // Both people opened the chat at once: the unique direct_key let one insert win; the other
      // transaction is aborted (Postgres), so look the winner up in a fresh one.
      if (!isUniqueViolation(error)) throw error;
      return this.dataSource.transaction((manager) =>
        this.findOrCreateDirect(manager, input.creatorId, input.userId, directKey),
      );
    }
  }

  /**
   * The direct conversation of two people, created if they have none yet, inside the caller's
   * transaction (an event handler's inbox transaction). Like {@link execute} it announces a new
   * one with `ConversationCreated`. The insert runs in a savepoint: when someone creates the pair's
   * conversation at the same moment, only the savepoint is rolled back and theirs is returned.
   */
  async findOrCreateDirectIn(
    manager: EntityManager,
    creatorId: string,
    userId: string,
  ): Promise<CreateConversationOutcome> {
    if (userId === creatorId) throw ChatErrors.directWithSelf();
    const directKey = directKeyOf(creatorId, userId);
    try {
      return await manager.transaction((savepoint) =>
        this.findOrCreateDirect(savepoint, creatorId, userId, directKey),
      );
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return this.findOrCreateDirect(manager, creatorId, userId, directKey);
    }
  }

  private async createGroup(
    manager: EntityManager,
    input: Extract<CreateConversationInput, { kind: 'group' }>,
  ): Promise<Chat.ConversationView> {
    // The creator is always a member; listing them (or anyone) twice is harmless.
    const memberIds = [...new Set([input.creatorId, ...input.memberIds])];
    if (memberIds.length > Chat.GROUP_MEMBERS_MAX) {
      throw ChatErrors.tooManyMembers(Chat.GROUP_MEMBERS_MAX, 'invalid_argument');
    }
    return this.insert(manager, {
      kind: 'group',
      title: input.title,
      creatorId: input.creatorId,
      directKey: null,
      members: memberIds.map((userId) => ({
        userId,
        role: userId === input.creatorId ? 'admin' : 'member',
      })),
    });
  }

  private async findOrCreateDirect(
    manager: EntityManager,
    creatorId: string,
    userId: string,
    directKey: string,
  ): Promise<CreateConversationOutcome> {
    const existing = await manager.findOneBy(ConversationEntity, { directKey });
    if (existing) {
      const members = await membersOf(manager, existing.id);
      return { conversation: toConversationView(existing, members), created: false };
    }
    const conversation = await this.insert(manager, {
      kind: 'direct',
      title: null,
      creatorId,
      directKey,
      // Two equals: either may do what an admin may (nobody can join a direct conversation anyway).
      members: [
        { userId: creatorId, role: 'admin' },
        { userId, role: 'admin' },
      ],
    });
    return { conversation, created: true };
  }

  private async insert(
    manager: EntityManager,
    spec: {
      kind: Chat.ConversationKind;
      title: string | null;
      creatorId: string;
      directKey: string | null;
      members: { userId: string; role: Chat.MemberRole }[];
    },
  ): Promise<Chat.ConversationView> {
    const now = new Date();
    const id = uuidv7();
    const conversation: ConversationEntity = {
      id,
      kind: spec.kind,
      title: spec.title,
      createdBy: spec.creatorId,
      createdAt: now,
      directKey: spec.directKey,
      activityKey: id,
    };
    await manager.insert(ConversationEntity, conversation);
    const members: ConversationMemberEntity[] = spec.members.map(({ userId, role }) => ({
      conversationId: id,
      userId,
      role,
      joinedAt: now,
      lastReadMessageId: null,
      lastReadAt: null,
    }));
    await manager.insert(ConversationMemberEntity, members);
    const view = toConversationView(conversation, sortMembers(members));
    await this.outbox.add(manager, Chat.ConversationCreated, { conversation: view });
    return view;
  }
}

/** Same order as {@link membersOf}: joined_at, then user id. */
function sortMembers(members: ConversationMemberEntity[]): ConversationMemberEntity[] {
  return [...members].sort(
    (a, b) =>
      a.joinedAt.getTime() - b.joinedAt.getTime() ||
      (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0),
  );
}
