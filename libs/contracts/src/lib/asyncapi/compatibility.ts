import { type AsyncApiDocument } from './asyncapi-document';
import { type JsonSchema } from './json-schema';
import { diffSchemas, type SchemaChange } from './schema-diff';

/** A change to an existing subject version that breaks whoever uses the released one. */
export interface BreakingChange {
  /** The subject (a push's prefix). */
  subject: string;
  /** Which message changed: an RPC's `request` or `result`, an `event`, a `push`, or the `subject` itself. */
  message: 'request' | 'result' | 'event' | 'push' | 'subject';
  /** The field (`message.text`); empty for the whole message. */
  path: string;
  change: string;
  /** Who it breaks, and how. */
  breaks: string;
}

/** Roles in which a service uses a subject it does not own. */
const USER_ROLES = new Set(['calls', 'consumes', 'receives', 'reads']);

/**
 * The changes from the released document to the current one that break a user of a subject
 * version, direction-aware:
 * - an RPC's **request** is read by its owner: a change that refuses what callers of the released
 *   version send (field removed from a closed object, optional made required, type narrowed, enum
 *   value removed, bound tightened) breaks them;
 * - an RPC's **result** and a **push** are read by callers and clients: a change that lets the new
 *   version send what they refuse (required field removed or made optional, field added to a
 *   closed object, type widened, enum value added) breaks them;
 * - an **event** is read by consumers that may still run the released version *and* stays in its
 *   stream, where upgraded consumers read events published before: a change either way breaks.
 * A new subject version (`.v2`) is a new subject and is never compared. Removing a subject version
 * breaks whoever used it at the release; once no other service calls, consumes or receives it
 * there, it may go.
 */
export function breakingChanges(
  released: AsyncApiDocument,
  current: AsyncApiDocument,
): BreakingChange[] {
  const found: BreakingChange[] = [];
  for (const [subject, channel] of Object.entries(released.channels)) {
    const kind = channel['x-switchboard-kind'];
    if (subject.endsWith('.reply')) continue;
    if (!(subject in current.channels)) {
      const users = usersOf(released, subject);
      if (users.length > 0) {
        found.push({
          subject,
          message: 'subject',
          path: '',
          change: 'subject removed',
          breaks: `${users.join(', ')} still used it at the release: keep it until a release where nothing does`,
        });
      }
      continue;
    }
    const compare = (
      message: BreakingChange['message'],
      name: string,
      breaks: (change: SchemaChange) => string | undefined,
    ) => {
      const changes = diffSchemas(payloadOf(released, name), payloadOf(current, name));
      for (const change of changes) {
        const who = breaks(change);
        if (who !== undefined) {
          found.push({ subject, message, path: change.path, change: change.change, breaks: who });
        }
      }
    };
    if (kind === 'rpc') {
      compare('request', `${subject}.request`, (change) =>
        change.narrows
          ? 'callers of the released version: the new handler refuses what they send'
          : undefined,
      );
      compare('result', `${subject}.result`, (change) =>
        change.widens
          ? 'callers of the released version: they refuse the result the new handler sends'
          : undefined,
      );
    } else if (kind === 'event') {
      compare('event', subject, (change) =>
        change.widens
          ? 'consumers of the released version: they refuse what the new publisher sends'
          : change.narrows
            ? 'upgraded consumers: they refuse events published before, still in the stream'
            : undefined,
      );
    } else if (kind === 'push') {
      compare('push', subject, (change) =>
        change.widens
          ? 'clients of the released version: they refuse what is pushed now'
          : undefined,
      );
    }
  }
  return found;
}

/** Services other than the owner that use a subject in a document (calls, consumes, receives, reads). */
function usersOf(document: AsyncApiDocument, subject: string): string[] {
  const users = new Set<string>();
  for (const [id, operation] of Object.entries(document.operations)) {
    const [service, role] = id.split('.');
    const channel = (operation['channel'] as { $ref?: string } | undefined)?.$ref;
    if (channel === `#/channels/${subject}` && USER_ROLES.has(role)) users.add(service);
  }
  return [...users].sort();
}

function payloadOf(document: AsyncApiDocument, message: string): JsonSchema {
  const found = document.components.messages[message];
  if (found === undefined) throw new Error(`the document has no message ${message}`);
  return (found['payload'] ?? {}) as JsonSchema;
}

/** One line per breaking change, for a terminal or a CI log. */
export function describeBreakingChanges(changes: readonly BreakingChange[]): string {
  return changes
    .map(
      (change) =>
        `${change.subject} ${change.message}${change.path ? ` ${change.path}` : ''}: ${change.change} — breaks ${change.breaks}`,
    )
    .join('\n');
}
