/**
 * Where a client is in each stream the edge reads: the stream's epoch (when it was created, so a
 * recreated stream, whose sequences start again at 1, is never mistaken for the old one) and the
 * last stream sequence the client has been sent everything up to. Every replica reads the same
 * streams, so any replica resumes a cursor another one wrote.
 *
 * On the wire it is opaque: base64url of `[[stream, epoch, seq], …]`. Clients store and return it.
 */
export type Cursor = ReadonlyMap<string, { epoch: number; seq: number }>;

/** Longer than any cursor the edge writes for a handful of streams; refuses a pasted novel. */
const MAX_CURSOR_LENGTH = 512;
const STREAM = /^[A-Z][A-Z0-9_-]{0,31}$/;

export function encodeCursor(cursor: Cursor): string {
  const entries = [...cursor].map(([stream, { epoch, seq }]) => [stream, epoch, seq]);
  return Buffer.from(JSON.stringify(entries)).toString('base64url');
}

/** The cursor a client sent, or `undefined` when it is not one the edge wrote. */
export function decodeCursor(text: string): Cursor | undefined {
  if (text.length === 0 || text.length > MAX_CURSOR_LENGTH || !/^[\w-]+$/.test(text)) {
    return undefined;
  }
  let entries: unknown;
  try {
    entries = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(entries)) return undefined;
  const cursor = new Map<string, { epoch: number; seq: number }>();
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length !== 3) return undefined;
    const [stream, epoch, seq] = entry as unknown[];
    if (typeof stream !== 'string' || !STREAM.test(stream) || cursor.has(stream)) return undefined;
    if (!Number.isSafeInteger(epoch) || !Number.isSafeInteger(seq) || (seq as number) < 0) {
      return undefined;
    }
    cursor.set(stream, { epoch: epoch as number, seq: seq as number });
  }
  return cursor;
}
