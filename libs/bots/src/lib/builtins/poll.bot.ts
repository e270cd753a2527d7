import { Injectable } from '@nestjs/common';
import { insertIfAbsent, insertOrFind, uuidv7 } from '@switchboard/platform-persistence';
import { type EntityManager } from 'typeorm';
import { PollVoteEntity } from '../entities/poll-vote.entity';
import { PollEntity } from '../entities/poll.entity';
import { BotReplies } from '../replies/bot-replies';
import { ConversationAccess } from '../shared/conversation-access';
import { type BuiltInBotHandler, type CommandInvocation, POLL_BOT } from './built-in-bots';
import { parsePollArgs, POLL_MAX_OPTIONS, POLL_MIN_OPTIONS } from './command-args';
import { plural } from './stats.bot';

const USAGE =
  `Usage: /poll "question" "option 1" "option 2" … (${POLL_MIN_OPTIONS} to ${POLL_MAX_OPTIONS} options), ` +
  '/vote <n>, /poll close';

/**
 * `/poll`, `/vote <n>`, `/poll close`. One open poll per conversation (a unique column holds it);
 * one vote per member, changed by voting again. A poll is closed by whoever opened it or by a
 * conversation admin, so a group is not stuck with a poll its creator forgot.
 */
@Injectable()
export class PollBot implements BuiltInBotHandler {
  readonly botName = POLL_BOT;

  constructor(
    private readonly replies: BotReplies,
    private readonly access: ConversationAccess,
  ) {}

  async handle(invocation: CommandInvocation): Promise<void> {
    const text = await this.answer(invocation);
    const { manager, message } = invocation;
    await this.replies.post(manager, {
      bot: POLL_BOT,
      conversationId: message.conversationId,
      text,
      key: message.id,
      triggerMessageId: message.id,
    });
  }

  /** What the bot says; effects are written on the way. */
  private async answer({ manager, message, command, args }: CommandInvocation): Promise<string> {
    const open = await manager.findOneBy(PollEntity, { openIn: message.conversationId });
    if (command === 'vote') return this.vote(manager, open, message.sender.id, args);
    if (args.toLowerCase() === 'close') {
      return this.close(manager, open, message.conversationId, message.sender.id);
    }
    const poll = parsePollArgs(args);
    if (!poll) return USAGE;
    if (open) return alreadyOpen(open.question);
    // If another /poll opened one meanwhile, the unique open_in column lets only one insert win.
    const opened = await insertOrFind(
      manager,
      PollEntity,
      {
        id: uuidv7(),
        conversationId: message.conversationId,
        openIn: message.conversationId,
        question: poll.question,
        options: poll.options,
        createdBy: message.sender.id,
        createdAt: new Date(),
        closedAt: null,
      },
      { openIn: message.conversationId },
    );
    if (!opened.created) return alreadyOpen(opened.row.question);
    return [
      `📊 ${poll.question}`,
      ...poll.options.map((option, index) => `${index + 1}. ${option}`),
      'Vote with /vote <n>.',
    ].join('\n');
  }

  private async vote(
    manager: EntityManager,
    poll: PollEntity | null,
    voterId: string,
    args: string,
  ): Promise<string> {
    if (!poll) {
      return 'There is no open poll. Start one with /poll "question" "option 1" "option 2".';
    }
    const choice = /^\d{1,3}$/.test(args) ? Number(args) : NaN;
    if (!(choice >= 1 && choice <= poll.options.length)) {
      return `Usage: /vote <n>, with n from 1 to ${poll.options.length}.`;
    }
    const option = `${choice}. ${poll.options[choice - 1]}`;
    const vote = { pollId: poll.id, voterId, optionIndex: choice - 1, votedAt: new Date() };
    // Insert-if-absent, then update: two quick votes of one member never fail on the key.
    if (!(await insertIfAbsent(manager, PollVoteEntity, vote))) {
      await manager.update(PollVoteEntity, { pollId: poll.id, voterId }, vote);
      return `🗳 ${voterId} changed their vote to ${option}`;
    }
    return `🗳 ${voterId} voted for ${option}`;
  }

  private async close(
    manager: EntityManager,
    poll: PollEntity | null,
    conversationId: string,
    userId: string,
  ): Promise<string> {
    if (!poll) return 'There is no open poll.';
    if (poll.createdBy !== userId && !(await this.access.isAdmin(conversationId, userId))) {
      return `Only ${poll.createdBy}, who opened the poll, or an admin can close it.`;
    }
    await manager.update(PollEntity, { id: poll.id }, { openIn: null, closedAt: new Date() });
    const votes = await manager.findBy(PollVoteEntity, { pollId: poll.id });
    const counts = poll.options.map(
      (_, index) => votes.filter((vote) => vote.optionIndex === index).length,
    );
    return [
      `📊 Results: ${poll.question}`,
      ...poll.options.map(
        (option, index) => `${index + 1}. ${option} — ${plural(counts[index], 'vote')}`,
      ),
      `${plural(votes.length, 'vote')} in total.`,
    ].join('\n');
  }
}

function alreadyOpen(question: string): string {
  return `A poll is already open: “${question}”. Close it first with /poll close.`;
}
