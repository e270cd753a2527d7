import { Calls, EntityId, UserId } from '@switchboard/contracts';
import { z } from 'zod';
import { decodeCallCursor } from '../use-cases/list-calls';

// ---- request parts ----

export const CallIdParams = z.object({ id: EntityId }).strict();
export type CallIdParams = z.output<typeof CallIdParams>;

export const StartCallBody = z
  .object({
    /** The conversation to call: its other members are rung. */
    conversationId: EntityId,
  })
  .strict();
export type StartCallBody = z.output<typeof StartCallBody>;

/** `POST /calls/:id/fail`: the body may be left out. */
export const FailCallBody = z
  .object({
    /** What broke, as the client saw it (e.g. `ice-failed`); kept for operators. */
    reason: z.string().trim().min(1).max(200).optional(),
  })
  .strict()
  .optional()
  .transform((body) => body ?? {});
export type FailCallBody = z.output<typeof FailCallBody>;

export const SendSignalBody = z
  .object({
    /** Another participant of the call. */
    toUserId: UserId,
    signal: Calls.SignalBody,
  })
  .strict();
export type SendSignalBody = z.output<typeof SendSignalBody>;

export const ListCallsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    /** `nextCursor` of the previous page. */
    cursor: z
      .string()
      .max(200)
      .transform((cursor, context) => {
        const id = decodeCallCursor(cursor);
        if (id === undefined) {
          context.addIssue({ code: 'custom', message: 'not a cursor this API returned' });
          return z.NEVER;
        }
        return id;
      })
      .optional(),
  })
  .strict();
export type ListCallsQuery = z.output<typeof ListCallsQuery>;

// ---- responses no contract describes ----

export const CallPage = z
  .object({
    /** Calls I made or was rung for, newest first. */
    items: z.array(Calls.CallView),
    /** Pass as `cursor` for the next page; null on the last page. */
    nextCursor: z.string().nullable(),
  })
  .strict();
