import { isJetStreamApiError, JetStreamApiError } from '../jetstream/api-errors';
import { DLQ_STREAM, DLQ_SUBJECT_PREFIX } from '../jetstream/streams';

/** Which dead letters an operation is about; both unset means all of them. */
export interface DeadLetterFilter {
  /** Durable consumer that gave up, e.g. `bots_evt-chat-message-created-v1`. */
  consumer?: string;
  /** Original event subject; NATS wildcards allowed (`evt.chat.>`). */
  subject?: string;
}

export interface ListDeadLettersOptions extends DeadLetterFilter {
  /** At most this many entries, oldest first. Default {@link DEFAULT_LIST_LIMIT}, at most {@link MAX_LIST_LIMIT}. */
  limit?: number;
  /** Start at this DLQ sequence (inclusive), to page past a previous `list`. Default 1. */
  fromSeq?: number;
}

/** One dead letter as `list` shows it: what failed, where, and why. */
export interface DeadLetterEntry {
  /** Sequence in the `DLQ` stream: the handle for `show`, `replay`. */
  seq: number;
  /** When the DLQ stored it. */
  receivedAt: Date;
  /** Durable consumer that gave up on the event. */
  consumer: string;
  /** The event's original subject, where `replay` publishes it again. */
  subject: string;
  /** Stream and sequence the event had before it failed. */
  stream: string;
  streamSeq: number;
  /** Deliveries spent on it (1 for a payload that broke its contract). */
  attempts: number;
  /** The last error, `Name: message`. */
  error: string;
  /** The event's identity in consumers' inboxes (`Switchboard-Event-Id`). */
  eventId: string;
}

/** A dead letter with everything it carries. */
export interface DeadLetter extends DeadLetterEntry {
  /** Every header as stored; a header sent more than once has all its values. */
  headers: Record<string, string | string[]>;
  /** The payload parsed as JSON, or its text when it is not JSON. */
  payload: unknown;
  payloadFormat: 'json' | 'text';
  /** Payload size in bytes. */
  size: number;
}

export interface ReplayResult {
  /** The DLQ sequence that was replayed (and is now deleted). */
  dlqSeq: number;
  subject: string;
  eventId: string;
  /** Where JetStream stored the replayed event. */
  stream: string;
  seq: number;
  /** True when an earlier replay of this entry was already stored within the duplicate window. */
  duplicate: boolean;
}

export type DeadLetterErrorCode =
  'DLQ.STREAM_MISSING' | 'DLQ.NOT_FOUND' | 'DLQ.NOT_REPLAYABLE' | 'DLQ.NO_STREAM_FOR_SUBJECT';

/** A failure an operator can act on, with a stable code. */
export class DeadLetterError extends Error {
  override readonly name = 'DeadLetterError';

  constructor(
    readonly code: DeadLetterErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 10_000;

/** `dlq.<consumer|*>.<subject|>>`, after checking that neither part can escape its place. */
export function filterSubject({ consumer, subject }: DeadLetterFilter): string {
  if (consumer !== undefined && !/^[^.\s*>]+$/.test(consumer)) {
    throw new RangeError(
      `"${consumer}" is not a consumer name (one token: no dots, spaces or wildcards)`,
    );
  }
  if (subject !== undefined && !isSubjectFilter(subject)) {
    throw new RangeError(`"${subject}" is not a subject or subject filter`);
  }
  if (consumer === undefined && subject === undefined) return `${DLQ_SUBJECT_PREFIX}.>`;
  return `${DLQ_SUBJECT_PREFIX}.${consumer ?? '*'}.${subject ?? '>'}`;
}

function isSubjectFilter(subject: string): boolean {
  const tokens = subject.split('.');
  return tokens.every(
    (token, index) =>
      token !== '' &&
      !/\s/.test(token) &&
      (token === '>' ? index === tokens.length - 1 : token === '*' || !/[*>]/.test(token)),
  );
}

export function assertSeq(seq: number, name: string): void {
  if (!Number.isSafeInteger(seq) || seq < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${seq}`);
  }
}

/** JetStream's "stream not found" (an API error, or the consumers API's own message) → `DLQ.STREAM_MISSING`. */
export function translate(error: unknown): unknown {
  const missing =
    isJetStreamApiError(error, JetStreamApiError.StreamNotFound) ||
    (error instanceof Error && error.message === 'stream not found');
  if (!missing) return error;
  return new DeadLetterError(
    'DLQ.STREAM_MISSING',
    `Stream ${DLQ_STREAM} does not exist on this server (services create it when they start)`,
    { cause: error },
  );
}
