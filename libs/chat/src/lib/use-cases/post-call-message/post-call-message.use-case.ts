import { Injectable } from '@nestjs/common';
import { AppError, type Calls, type Chat } from '@switchboard/contracts';
import { UnprocessableEvent } from '@switchboard/platform-messaging';
import { type EntityManager } from 'typeorm';
import { ChatErrorCodes } from '../../chat.errors';
import { PostMessageUseCase } from '../post-message';

/** Who posts call notes: the platform, as the calls component. */
export const CALLS_SENDER: Chat.Sender = { kind: 'system', id: 'calls' };

/** The idempotency key of a call's note: one note per call, however often the event arrives. */
export function callClientMessageId(callId: string): string {
  return `call:${callId}`;
}

/** `42` → `42s`, `192` → `3m 12s`, `3725` → `1h 2m 5s`, `3600` → `1h 0m 0s`: leading zero units dropped. */
export function formatCallDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h ${m}m ${s}s`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}

/**
 * The note chat posts for a call that is over: `Missed call`; `Call ended · 3m 12s` for one that was
 * hung up; `Call failed · 12s` for one that broke. Without a duration the part after `·` is left out.
 */
export function callMessageText(call: Calls.CallView): string {
  if (call.state === 'missed') return 'Missed call';
  const what = call.state === 'failed' ? 'Call failed' : 'Call ended';
  return call.durationSeconds === null
    ? what
    : `${what} · ${formatCallDuration(call.durationSeconds)}`;
}

/**
 * Posts the system note of a missed or finished call into its conversation, referring to the call.
 * Runs in the event's inbox transaction; the key `call:<id>` makes a redelivery return the first note.
 */
@Injectable()
export class PostCallMessageUseCase {
  constructor(private readonly postMessage: PostMessageUseCase) {}

  async execute(call: Calls.CallView, manager: EntityManager): Promise<Chat.MessageView> {
    try {
      const { message } = await this.postMessage.execute(
        {
          conversationId: call.conversationId,
          sender: CALLS_SENDER,
          text: callMessageText(call),
          clientMessageId: callClientMessageId(call.id),
          ref: { kind: 'call', id: call.id },
        },
        manager,
      );
      return message;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      // Chat never deletes conversations: a call in an unknown one cannot get its note by waiting.
      // Dead-letter it at once (the transport logs it; an operator can replay it) instead of retrying.
      if (error.code === ChatErrorCodes.CONVERSATION_NOT_FOUND) {
        throw new UnprocessableEvent(
          `Call ${call.id}: conversation ${call.conversationId} does not exist`,
        );
      }
      // Another note for this call exists already (it cannot be both missed and ended).
      if (error.code === ChatErrorCodes.CLIENT_MESSAGE_ID_REUSED) {
        throw new UnprocessableEvent(`Call ${call.id} already has a note with another text`);
      }
      throw error;
    }
  }
}
