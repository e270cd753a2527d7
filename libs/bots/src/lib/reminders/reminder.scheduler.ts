import { Injectable, Logger } from '@nestjs/common';
import { DueWorkJob } from '@switchboard/platform-runtime';
import { DataSource, type EntityManager, LessThan, LessThanOrEqual } from 'typeorm';
import { REMIND_BOT } from '../builtins/built-in-bots';
import { BotInstallationEntity } from '../entities/bot-installation.entity';
import { ReminderEntity } from '../entities/reminder.entity';
import { BotReplies } from '../replies/bot-replies';

/** Every instance looks for due reminders this often, so one is never more than this late. */
export const REMINDER_SWEEP_MS = 500;
/** A claimed reminder nobody finished by then (its instance died) is taken over by another sweep. */
const CLAIM_LEASE_MS = 30_000;
/** After a failed delivery (chat unreachable) the reminder is tried again this much later. */
const RETRY_DELAY_MS = 5_000;
/** Deliveries tried before a reminder is given up as `failed`. */
const MAX_ATTEMPTS = 10;
/** Reminders claimed per round. */
const BATCH = 50;

/**
 * Posts reminders when they are due, across restarts and instances (the timer + sweep machinery is
 * the platform's `DueWorkJob`). A round claims due rows with a compare-and-set UPDATE — only
 * one instance's update matches — and delivers each in its own transaction. Delivery posts with the
 * key `reminder:<id>`, so if an instance dies between chat storing the reminder and the row being
 * marked, the instance that takes it over gets chat's stored message back instead of a duplicate.
 */
@Injectable()
export class ReminderScheduler extends DueWorkJob {
  private readonly log = new Logger(ReminderScheduler.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly replies: BotReplies,
  ) {
    super({ sweepMs: REMINDER_SWEEP_MS });
  }

  protected async round(stopping: () => boolean): Promise<Date | null> {
    const reminders = this.dataSource.getRepository(ReminderEntity);
    for (;;) {
      const now = new Date();
      const due = await reminders.find({
        where: [
          { status: 'pending', dueAt: LessThanOrEqual(now) },
          { status: 'delivering', leaseUntil: LessThan(now) },
        ],
        order: { dueAt: 'ASC' },
        take: BATCH,
      });
      for (const reminder of due) {
        if (stopping()) return null;
        if (await this.claim(reminder)) await this.deliver(reminder);
      }
      if (due.length < BATCH || stopping()) break;
    }
    const next = await reminders.findOne({
      where: { status: 'pending' },
      order: { dueAt: 'ASC' },
    });
    return next?.dueAt ?? null;
  }

  /** True when this instance won the reminder: the row still had the attempt count it read. */
  private async claim(reminder: ReminderEntity): Promise<boolean> {
    const result = await this.dataSource.getRepository(ReminderEntity).update(
      {
        id: reminder.id,
        status: reminder.status,
        attempts: reminder.attempts,
      },
      {
        status: 'delivering',
        attempts: reminder.attempts + 1,
        leaseUntil: new Date(Date.now() + CLAIM_LEASE_MS),
      },
    );
    if (result.affected !== 1) return false;
    reminder.attempts += 1;
    return true;
  }

  private async deliver(reminder: ReminderEntity): Promise<void> {
    try {
      await this.dataSource.transaction(async (manager) => {
        const installed = await manager.existsBy(BotInstallationEntity, {
          conversationId: reminder.conversationId,
          botName: REMIND_BOT,
        });
        if (!installed) {
          // Uninstalling a bot silences it, reminders it had promised included.
          await this.finish(manager, reminder, 'cancelled');
          return;
        }
        const posted = await this.replies.post(manager, {
          bot: REMIND_BOT,
          conversationId: reminder.conversationId,
          text: `⏰ Reminder for ${reminder.requestedBy}: ${reminder.text}`,
          key: `reminder:${reminder.id}`,
          triggerMessageId: reminder.triggerMessageId,
        });
        await this.finish(manager, reminder, posted ? 'delivered' : 'dropped');
      });
    } catch (error) {
      const giveUp = reminder.attempts >= MAX_ATTEMPTS;
      this.log.warn(
        `Reminder ${reminder.id} (attempt ${reminder.attempts}) not delivered${giveUp ? '; giving up' : `; retrying in ${RETRY_DELAY_MS} ms`}: ${describe(error)}`,
      );
      await this.dataSource
        .getRepository(ReminderEntity)
        .update(
          { id: reminder.id, attempts: reminder.attempts },
          giveUp
            ? { status: 'failed', leaseUntil: null, finishedAt: new Date() }
            : { leaseUntil: new Date(Date.now() + RETRY_DELAY_MS) },
        )
        .catch((updateError: unknown) =>
          this.log.warn(`Reminder ${reminder.id}: ${describe(updateError)}`),
        );
    }
  }

  private async finish(
    manager: EntityManager,
    reminder: ReminderEntity,
    status: 'delivered' | 'dropped' | 'cancelled',
  ): Promise<void> {
    // Guarded by the attempt count: an instance whose lease ran out must not overwrite the outcome
    // of the one that took over (its post was de-duplicated by chat all the same).
    await manager.update(
      ReminderEntity,
      { id: reminder.id, attempts: reminder.attempts },
      { status, leaseUntil: null, finishedAt: new Date() },
    );
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
