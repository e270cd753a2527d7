import { Injectable } from '@nestjs/common';
import { Chat } from '@switchboard/contracts';
import { Outbox } from '@switchboard/platform-messaging';
import { insertOrFind, uuidv7 } from '@switchboard/platform-persistence';
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

  /**
   * In the caller's transaction when given its `manager` (an event handler's inbox transaction),
   * else in one of its own.
   */
  async execute(
    input: CreateConversationInput,
    manager?: EntityManager,
  ): Promise<CreateConversationOutcome> {
    if (input.kind === 'direct' && input.userId === input.creatorId) {
      throw ChatErrors.directWithSelf();
    }
    if (manager) return this.create(manager, input);
    return this.dataSource.transaction((own) => this.create(own, input));
  }

  private async create(
    manager: EntityManager,
    input: CreateConversationInput,
  ): Promise<CreateConversationOutcome> {
    if (input.kind === 'group') {
      return { conversation: await this.createGroup(manager, input), created: true };
    }
    return this.findOrCreateDirect(manager, input.creatorId, input.userId);
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
    const conversation = newConversation('group', input.title, input.creatorId, null);
    await manager.insert(ConversationEntity, conversation);
    return this.addMembers(
      manager,
      conversation,
      memberIds.map((userId) => ({
        userId,
        role: userId === input.creatorId ? 'admin' : 'member',
      })),
    );
  }

  private async findOrCreateDirect(
    manager: EntityManager,
    creatorId: string,
    userId: string,
  ): Promise<CreateConversationOutcome> {
    const directKey = directKeyOf(creatorId, userId);
    const existing = await manager.findOneBy(ConversationEntity, { directKey });
    if (existing) return existingDirect(manager, existing);
    // Both people opening the chat at once: the unique direct_key lets one insert win, and the
    // other gets the winner's conversation.
    const conversation = newConversation('direct', null, creatorId, directKey);
    const stored = await insertOrFind(manager, ConversationEntity, conversation, { directKey });
    if (!stored.created) return existingDirect(manager, stored.row);
    // Two equals: either may do what an admin may (nobody can join a direct conversation anyway).
    const view = await this.addMembers(manager, conversation, [
      { userId: creatorId, role: 'admin' },
      { userId, role: 'admin' },
    ]);
    return { conversation: view, created: true };
  }

  /** Adds the members of a conversation just inserted, and announces it with `ConversationCreated`. */
  private async addMembers(
    manager: EntityManager,
    conversation: ConversationEntity,
    specs: { userId: string; role: Chat.MemberRole }[],
  ): Promise<Chat.ConversationView> {
    const members: ConversationMemberEntity[] = specs.map(({ userId, role }) => ({
      conversationId: conversation.id,
      userId,
      role,
      joinedAt: conversation.createdAt,
      lastReadMessageId: null,
      lastReadAt: null,
    }));
    await manager.insert(ConversationMemberEntity, members);
    const view = toConversationView(conversation, sortMembers(members));
    await this.outbox.add(manager, Chat.ConversationCreated, { conversation: view });
    return view;
  }
}

async function existingDirect(
  manager: EntityManager,
  conversation: ConversationEntity,
): Promise<CreateConversationOutcome> {
  const members = await membersOf(manager, conversation.id);
  return { conversation: toConversationView(conversation, members), created: false };
}

function newConversation(
  kind: Chat.ConversationKind,
  title: string | null,
  creatorId: string,
  directKey: string | null,
): ConversationEntity {
  const id = uuidv7();
  return {
    id,
    kind,
    title,
    createdBy: creatorId,
    createdAt: new Date(),
    directKey,
    activityKey: id,
  };
}

/** Same order as {@link membersOf}: joined_at, then user id. */
function sortMembers(members: ConversationMemberEntity[]): ConversationMemberEntity[] {
  return [...members].sort(
    (a, b) =>
      a.joinedAt.getTime() - b.joinedAt.getTime() ||
      (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0),
  );
}
