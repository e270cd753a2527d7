import { z } from 'zod';

/** A user id: the `sub` claim of the caller's JWT. Opaque to Switchboard, at most 64 characters. */
export const UserId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ - only')
  .describe('User id (the JWT `sub` claim)');

/** An id Switchboard generated: a UUID (version 7, so ids sort by creation time). */
export const EntityId = z.uuid().describe('UUID');

/** An ISO-8601 instant in UTC, e.g. `2026-11-26T09:47:37.123Z`. */
export const Instant = z.iso.datetime().describe('ISO-8601 instant (UTC)');
