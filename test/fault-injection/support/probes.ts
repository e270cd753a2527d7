import { Chat } from '@switchboard/contracts';
import { consumerName, streamOf } from '@switchboard/platform-messaging';
import { type JetStreamManager } from 'nats';
import { Client } from 'pg';

/** The ledger's durable consumer of chat's messages, and its stream. */
export const LEDGER_CONSUMER = consumerName('ledger', Chat.MessageCreated.subject);
export const CHAT_STREAM = streamOf(Chat.MessageCreated.subject);

/** One row of the ledger's effect table. */
export interface EffectRow {
  messageId: string;
  eventId: string;
  text: string;
  attempt: number;
}

/** Reads a service's database directly (never through a proxy under test), to count what happened. */
export class DatabaseProbe {
  private constructor(private readonly client: Client) {}

  static async open(url: string): Promise<DatabaseProbe> {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    client.on('error', () => undefined);
    await client.connect();
    return new DatabaseProbe(client);
  }

  async scalar(sql: string, params: unknown[] = []): Promise<number> {
    const result = await this.client.query<{ value: string | number }>(sql, params);
    return Number(result.rows[0]?.value ?? 0);
  }

  /** Rows of the ledger's `ledger_effects`. */
  async effects(): Promise<EffectRow[]> {
    const result = await this.client.query<{
      message_id: string;
      event_id: string;
      text: string;
      attempt: number;
    }>('SELECT message_id, event_id, text, attempt FROM ledger_effects');
    return result.rows.map((row) => ({
      messageId: row.message_id,
      eventId: row.event_id,
      text: row.text,
      attempt: Number(row.attempt),
    }));
  }

  effectCount(): Promise<number> {
    return this.scalar('SELECT count(*) AS value FROM ledger_effects');
  }

  /** Messages with at least one effect. */
  bookedMessages(): Promise<number> {
    return this.scalar('SELECT count(DISTINCT message_id) AS value FROM ledger_effects');
  }

  effectsOf(messageId: string): Promise<number> {
    return this.scalar('SELECT count(*) AS value FROM ledger_effects WHERE message_id = $1', [
      messageId,
    ]);
  }

  /** Ids of the messages chat committed in a conversation. */
  async messageIds(conversationId: string): Promise<string[]> {
    const result = await this.client.query<{ id: string }>(
      'SELECT id FROM messages WHERE conversation_id = $1 ORDER BY id',
      [conversationId],
    );
    return result.rows.map((row) => row.id);
  }

  /** Outbox rows not yet published. */
  outboxBacklog(): Promise<number> {
    return this.scalar('SELECT count(*) AS value FROM outbox');
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

/** What the ledger did with every event chat committed. */
export interface ExactlyOnceReport {
  expected: number;
  effects: number;
  /** Expected messages with no effect (a lost event). */
  gaps: string[];
  /** Expected messages with more than one effect. */
  duplicates: { messageId: string; count: number }[];
  /** Effects of messages chat never committed. */
  unexpected: string[];
  /** Effects committed on a redelivery (attempt > 1). */
  committedOnRedelivery: number;
}

/**
 * Checks every expected message against the effects the way nats-server's chaos test does: each
 * message has a slot, each effect marks its slot, and any slot at 0 (a gap) or above 1 (a duplicate)
 * is a failure.
 */
export function checkExactlyOnce(expected: string[], effects: EffectRow[]): ExactlyOnceReport {
  const slotOf = new Map(expected.map((id, index) => [id, index]));
  const deliveries = new Uint16Array(expected.length);
  const unexpected: string[] = [];
  for (const effect of effects) {
    const slot = slotOf.get(effect.messageId);
    if (slot === undefined) unexpected.push(effect.messageId);
    else deliveries[slot] = Math.min(deliveries[slot] + 1, 0xffff);
  }
  const gaps: string[] = [];
  const duplicates: { messageId: string; count: number }[] = [];
  deliveries.forEach((count, slot) => {
    if (count === 0) gaps.push(expected[slot]);
    else if (count > 1) duplicates.push({ messageId: expected[slot], count });
  });
  return {
    expected: expected.length,
    effects: effects.length,
    gaps,
    duplicates,
    unexpected,
    committedOnRedelivery: effects.filter((effect) => effect.attempt > 1).length,
  };
}

/** Delivery figures of the ledger's consumer. */
export interface ConsumerFigures {
  /** `message.created` events in the chat stream: what the ledger consumes. */
  streamMessages: number;
  /** Deliveries the server made, first ones and redeliveries. */
  deliveries: number;
  /** Deliveries beyond one per stored message (read once the consumer has caught up). */
  redeliveries: number;
  ackPending: number;
  pending: number;
}

export async function consumerFigures(jsm: JetStreamManager): Promise<ConsumerFigures> {
  const [stream, consumer] = await Promise.all([
    // Per subject: the stream also holds chat's other events (conversation.created, …), which the
    // ledger's filtered consumer never sees.
    jsm.streams.info(CHAT_STREAM, { subjects_filter: Chat.MessageCreated.subject }),
    jsm.consumers.info(CHAT_STREAM, LEDGER_CONSUMER),
  ]);
  const messages = stream.state.subjects?.[Chat.MessageCreated.subject] ?? 0;
  return {
    streamMessages: messages,
    deliveries: consumer.delivered.consumer_seq,
    redeliveries: consumer.delivered.consumer_seq - messages,
    ackPending: consumer.num_ack_pending,
    pending: consumer.num_pending,
  };
}

/** Prints a block of figures to stdout, where CI logs keep it (jest's console is buffered per test). */
export function printFigures(title: string, figures: Record<string, string | number>): void {
  const width = Math.max(...Object.keys(figures).map((key) => key.length));
  const lines = Object.entries(figures).map(([key, value]) => `  ${key.padEnd(width)}  ${value}`);
  process.stdout.write(`\n[fault-injection] ${title}\n${lines.join('\n')}\n`);
}

export function seconds(ms: number): string {
  return `${(ms / 1_000).toFixed(1)} s`;
}
