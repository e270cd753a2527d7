/**
 * The conversation list's cursor is opaque to clients: base64url of the activity key of the last
 * conversation on the page. Opaque so the ordering can change without breaking clients.
 */
export function encodeConversationCursor(activityKey: string): string {
  return Buffer.from(activityKey, 'utf8').toString('base64url');
}

/** The activity key inside a cursor; undefined when the text is not one of ours. */
export function decodeConversationCursor(cursor: string): string | undefined {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(key)
    ? key
    : undefined;
}
