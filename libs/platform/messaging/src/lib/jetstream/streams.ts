import { isJetStreamApiError, JetStreamApiError } from './api-errors';
import { eventDomains } from '@switchboard/contracts';
import {
  DiscardPolicy,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from 'nats';

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
 * The one reviewed definition of every stream. Changing a line here changes the streams on the next
 * boot of any service that ensures them (`ensureStreams` updates in place), and in deployments on the
 * next run of the platform's provisioner (it reads this list from the messaging manifest), so each
 * setting says why it is what it is.
 */
export function streamDefinitions(replicas = 1): Partial<StreamConfig>[] {
  // One stream per domain whose contracts define events, capturing `evt.<domain>.>`.
  const domainStreams = eventDomains().map((domain): Partial<StreamConfig> => ({
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

/**
 * Creates missing streams and brings existing ones to their definition; safe to run on every boot.
 * Needs `STREAM.INFO|CREATE|UPDATE` on every stream: local runs and tests (`EVENTS_STREAMS=ensure`).
 */
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
      if (isJetStreamApiError(error, JetStreamApiError.StreamNotFound)) {
        await jsm.streams.add(definition);
        continue;
      }
      throw error;
    }
  }
}

/** Boot stops with this when streams the service needs are missing or capture other subjects. */
export class StreamsNotProvisioned extends Error {
  override readonly name = 'StreamsNotProvisioned';

  constructor(
    /** One entry per stream that is wrong, e.g. `CHAT is missing`. */
    readonly problems: string[],
  ) {
    super(
      `JetStream streams are not provisioned: ${problems.join('; ')}. ` +
        'With EVENTS_STREAMS=verify the platform creates the streams (see docs/infrastructure.md); ' +
        'start its stream provisioner, or set EVENTS_STREAMS=ensure to let this service create them.',
    );
  }
}

/**
 * Checks, read-only, that every stream of `definitions` exists and captures the subjects of its
 * definition (a definition without `subjects` is checked for existence only). Reports every bad
 * stream in one `StreamsNotProvisioned`, so an operator fixes them in one round; other errors
 * (permission denied, timeout) propagate unchanged. Creates and updates nothing, so the service's
 * NATS user needs only `$JS.API.STREAM.INFO.<stream>`: the deployment mode (`EVENTS_STREAMS=verify`).
 * Other settings (retention, replicas, …) are the provisioner's business and are not compared.
 */
export async function verifyStreams(
  jsm: JetStreamManager,
  definitions: Partial<StreamConfig>[],
): Promise<void> {
  const problems: string[] = [];
  for (const definition of definitions) {
    const name = definition.name as string;
    try {
      const existing = await jsm.streams.info(name);
      const expected = definition.subjects;
      const actual = existing.config.subjects ?? [];
      if (expected !== undefined && !sameSubjects(actual, expected)) {
        problems.push(`${name} captures ${listOf(actual)} instead of ${listOf(expected)}`);
      }
    } catch (error) {
      if (isJetStreamApiError(error, JetStreamApiError.StreamNotFound)) {
        problems.push(`${name} is missing`);
        continue;
      }
      throw error;
    }
  }
  if (problems.length > 0) throw new StreamsNotProvisioned(problems);
}

/**
 * The streams a process touches, sorted and unique: the stream of every event it consumes, `DLQ`
 * when it consumes anything (its dead letters are published there), and the stream of each hosted
 * domain that publishes events (its outbox relay publishes there). In a deployment its NATS user gets
 * `$JS.API.STREAM.INFO.<stream>` for exactly this set and `verifyStreams` checks exactly this set;
 * `infra/nats/permissions.ts` mirrors the rule, so change both together.
 */
export function streamsUsedBy(usage: {
  /** The hosted domains that publish events. */
  publishing: readonly string[];
  consumes: string[];
}): string[] {
  const streams = new Set(usage.consumes.map(streamOf));
  if (usage.consumes.length > 0) streams.add(DLQ_STREAM);
  for (const domain of usage.publishing) streams.add(domain.toUpperCase());
  return [...streams].sort();
}

function sameSubjects(actual: string[], expected: string[]): boolean {
  const want = new Set(expected);
  return new Set(actual).size === want.size && actual.every((subject) => want.has(subject));
}

function listOf(subjects: string[]): string {
  return `[${subjects.join(', ')}]`;
}
