import { z } from 'zod';
import { defineRpc } from '../contract';
import { UserId } from '../common/ids';

/**
 * How many stories each of these users has active right now with `contacts` visibility — what
 * anyone sharing a conversation with them may see (close-friends stories are not counted). Used by
 * the `/stories` bot command with a conversation's members.
 */
export const ActiveCount = defineRpc({
  subject: 'rpc.stories.active-count.v1',
  request: z.object({ userIds: z.array(UserId).min(1).max(200) }).strict(),
  result: z
    .object({
      /** Sum of `perUser`. */
      total: z.number().int().nonnegative(),
      /** Users with at least one active story, most stories first. */
      perUser: z.array(z.object({ userId: UserId, count: z.number().int().positive() }).strict()),
    })
    .strict(),
});
