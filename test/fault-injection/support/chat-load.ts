import { signDevToken } from '@switchboard/platform-auth';
import { type ServiceProcess, TEST_JWT_SECRET } from '@switchboard/platform-testing';
import { setTimeout as sleep } from 'node:timers/promises';

const REQUEST_TIMEOUT_MS = 15_000;

/** What chat answered to one post. */
export type PostOutcome = { ok: true; messageId: string } | { ok: false; reason: string };

/** A conversation in a running chat process, posted to as its creator. */
export interface ChatDriver {
  readonly conversationId: string;
  /** Posts `text`; `ok` only for a 2xx, i.e. once chat committed the message and its outbox row. */
  post(text: string): Promise<PostOutcome>;
}

/** Creates a conversation in `chat` as `user` and returns a driver posting into it. */
export async function openConversation(chat: ServiceProcess, user = 'alice'): Promise<ChatDriver> {
  const headers = {
    authorization: `Bearer ${await signDevToken(user, TEST_JWT_SECRET)}`,
    'content-type': 'application/json',
  };
  const created = await fetch(`${chat.url}/conversations`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ title: 'fault injection', memberIds: ['bob'] }),
  });
  if (created.status !== 201) {
    throw new Error(`POST /conversations answered ${created.status}: ${await created.text()}`);
  }
  const { id: conversationId } = (await created.json()) as { id: string };
  return {
    conversationId,
    async post(text) {
      try {
        const response = await fetch(`${chat.url}/conversations/${conversationId}/messages`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ text }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const body = await response.text();
        if (response.status < 200 || response.status >= 300) {
          return { ok: false, reason: `HTTP ${response.status}: ${body.slice(0, 200)}` };
        }
        return { ok: true, messageId: (JSON.parse(body) as { id: string }).id };
      } catch (error) {
        return { ok: false, reason: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}

/** The text of sequence number `seq`: the ledger's effect carries it back, as in nats-server's chaos test. */
export function sequencedText(prefix: string, seq: number): string {
  return `${prefix} seq=${seq}`;
}

export interface SequenceLoadOptions {
  /** Sequence numbers 0 … count-1 are posted, each once. */
  count: number;
  /** Posts in flight at once. */
  concurrency: number;
  /**
   * Start post n no earlier than n / rate seconds after the first (an open-loop schedule, as far as
   * `concurrency` allows). Default: as fast as chat answers.
   */
  ratePerSecond?: number;
  /** Text of each post; default `load seq=<n>`. */
  text?: (seq: number) => string;
  /** Called after each answer, with how many posts have been answered so far. */
  onProgress?: (answered: number) => void;
}

export interface SequenceLoadResult {
  /** Message id of every sequence number chat acknowledged with a 2xx, indexed by sequence. */
  acked: (string | undefined)[];
  ackedCount: number;
  /** Posts that did not get a 2xx, with why. */
  failures: { seq: number; reason: string }[];
  durationMs: number;
}

/** Posts `count` sequenced messages, `concurrency` at a time; never throws for a failed post. */
export async function postSequence(
  driver: ChatDriver,
  options: SequenceLoadOptions,
): Promise<SequenceLoadResult> {
  const text = options.text ?? ((seq: number) => sequencedText('load', seq));
  const acked: (string | undefined)[] = new Array<string | undefined>(options.count);
  const failures: { seq: number; reason: string }[] = [];
  let next = 0;
  let answered = 0;
  const started = Date.now();
  const worker = async (): Promise<void> => {
    while (next < options.count) {
      const seq = next++;
      if (options.ratePerSecond !== undefined) {
        const due = started + (seq * 1_000) / options.ratePerSecond;
        if (due > Date.now()) await sleep(due - Date.now());
      }
      const outcome = await driver.post(text(seq));
      if (outcome.ok) acked[seq] = outcome.messageId;
      else failures.push({ seq, reason: outcome.reason });
      answered += 1;
      options.onProgress?.(answered);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return {
    acked,
    ackedCount: acked.filter((id) => id !== undefined).length,
    failures,
    durationMs: Date.now() - started,
  };
}
