import {
  DiscardPolicy,
  type JetStreamManager,
  NatsError,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from 'nats';

/** Domains that publish events; one stream each captures `evt.<domain>.>`. */
export const EVENT_DOMAINS = ['chat', 'stories', 'calls', 'bots'] as const;

/** Dead letters: `dlq.<consumer>.<original subject>`. */
export const DLQ_STREAM = 'DLQ';
export const DLQ_SUBJECT_PREFIX = 'dlq';

const DAY_NS = 24 * 60 * 60 * 1_000_000_000;
const SECOND_NS = 1_000_000_000;

/** The stream that captures an event subject: `evt.chat.message.created.v1` → `CHAT`. */
export function streamOf(subject: string): string {
  const domain = subject.split('.')[1];
  if (!domain) throw new Error(`"${subject}" is not an event subject`);
  return domain.toUpperCase();
}

/**
 * The one reviewed definition of every stream. Changing a line here changes production on the next
 * boot of any service (`ensureStreams` updates in place), so each setting says why it is what it is.
 */
export function streamDefinitions(replicas = 1): Partial<StreamConfig>[] {
  const domainStreams = EVENT_DOMAINS.map((domain): Partial<StreamConfig> => ({
    name: domain.toUpperCase(),
    subjects: [`evt.${domain}.>`],
    // Limits, not work-queue: several services consume the same event independently.
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    // A week lets a consumer that was down for days catch up; older events are history, not work.
    max_age: 7 * DAY_NS,
    // Publishes with the same Nats-Msg-Id within this window are stored once (relay retries).
    duplicate_window: 120 * SECOND_NS,
    discard: DiscardPolicy.Old,
    num_replicas: replicas,
  }));
  return [
    ...domainStreams,
    {
      name: DLQ_STREAM,
      subjects: [`${DLQ_SUBJECT_PREFIX}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      // Dead letters wait for a person: keep them long enough to survive a holiday.
      max_age: 30 * DAY_NS,
      duplicate_window: 120 * SECOND_NS,
      discard: DiscardPolicy.Old,
      num_replicas: replicas,
    },
  ];
}

/** Creates missing streams and brings existing ones to their definition; safe to run on every boot. */
export async function ensureStreams(
  jsm: JetStreamManager,
  definitions: Partial<StreamConfig>[] = streamDefinitions(),
): Promise<void> {
  for (const definition of definitions) {
    const name = definition.name as string;
    try {
      const existing = await jsm.streams.info(name);
      await jsm.streams.update(name, { ...existing.config, ...definition });
    } catch (error) {
      if (error instanceof NatsError && error.api_error?.err_code === 10059) {
        await jsm.streams.add(definition);
        continue;
      }
      throw error;
    }
  }
}
