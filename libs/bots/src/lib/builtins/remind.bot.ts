import { Injectable } from '@nestjs/common';
import { uuidv7 } from '@switchboard/platform-persistence';
import { ReminderEntity } from '../entities/reminder.entity';
import { ReminderScheduler } from '../reminders/reminder.scheduler';
import { BotReplies } from '../replies/bot-replies';
import { type BuiltInBotHandler, type CommandInvocation, REMIND_BOT } from './built-in-bots';
import { parseReminder } from './command-args';

const USAGE =
  'Usage: /remind <duration> <text> — e.g. /remind 10m stand-up (s, m, h or d; at most 30d)';

/**
 * `/remind <duration> <text>`: stores the reminder with the command's transaction (so it exists
 * exactly when the command counts as handled) and acknowledges it; `ReminderScheduler` posts it.
 */
@Injectable()
export class RemindBot implements BuiltInBotHandler {
  readonly botName = REMIND_BOT;

  constructor(
    private readonly replies: BotReplies,
    private readonly scheduler: ReminderScheduler,
  ) {}

  async handle({ manager, message, args }: CommandInvocation): Promise<void> {
    const reminder = parseReminder(args);
    const reply = (text: string) =>
      this.replies.post(manager, {
        bot: REMIND_BOT,
        conversationId: message.conversationId,
        text,
        key: message.id,
        triggerMessageId: message.id,
      });
    if (!reminder) {
      await reply(USAGE);
      return;
    }
    const now = new Date();
    const dueAt = new Date(now.getTime() + reminder.delayMs);
    await manager.insert(ReminderEntity, {
      id: uuidv7(),
      conversationId: message.conversationId,
      requestedBy: message.sender.id,
      triggerMessageId: message.id,
      text: reminder.text,
      dueAt,
      status: 'pending',
      leaseUntil: null,
      attempts: 0,
      createdAt: now,
      finishedAt: null,
    });
    await reply(`⏰ I'll remind you at ${formatInstant(dueAt)}.`);
    // Not committed yet: the scheduler only arms its timer; the row is read when it fires.
    this.scheduler.wakeAt(dueAt);
  }
}

/** `2026-11-26 13:05:00 UTC`: bots does not know the reader's time zone, so it says which it uses. */
export function formatInstant(instant: Date): string {
  return `${instant.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
