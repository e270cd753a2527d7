/**
 * The history's cursor is opaque to clients: base64url of the id of the last call on the page.
 * Opaque so the ordering can change without breaking clients.
 */
export function encodeCallCursor(callId: string): string {
  return Buffer.from(callId, 'utf8').toString('base64url');
}

/** The call id inside a cursor; undefined when the text is not one of ours. */
export function decodeCallCursor(cursor: string): string | undefined {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id) ? id : undefined;
}
