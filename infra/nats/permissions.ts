import type { MessagingManifest, ServiceMessaging } from './manifest';
import { inboxPrefixOf, PUSH_SUBJECT_PREFIX } from '@switchboard/contracts';

/** NATS permissions of one user, as the server config spells them. */
export interface NatsPermissions {
  publish: { allow: string[] };
  subscribe: { allow: string[] };
  /**
   * Lets the user publish to the reply subject of a request it received (once, for a short time):
   * how an RPC handler answers without a blanket `_INBOX.>` publish right.
   */
  allow_responses: boolean;
}

export interface PermissionOptions {
  /**
   * Reply-inbox prefix of the service's connection; by default the platform's `_INBOX.<service>`
   * (`inboxPrefixOf`), so a service subscribes to its own replies only.
   */
  inboxPrefix?: string;
}

/**
 * The NATS user of the platform's stream provisioner (infra/streams): the only user that may
 * create or change streams. Services run with `EVENTS_STREAMS=verify` and may only read the info of
 * the streams they use.
 */
export const STREAM_PROVISIONER_USER = 'stream-provisioner';

/** The JetStream API prefix (no JetStream domain configured). */
const JS_API = '$JS.API';

export class ManifestViolation extends Error {
  override readonly name = 'ManifestViolation';
}

/**
 * Least-privilege NATS permissions of one service, derived from its manifest entry (for a process
 * hosting several domains, the union of theirs). Throws `ManifestViolation` when the entry claims a
 * subject the service does not own (an event or push of a domain it does not host, answering such a
 * domain's RPC, a consumer named for one) or reads or receives something that is not a plain stream
 * name or push subject base.
 */
export function natsPermissionsFor(
  service: string,
  entry: ServiceMessaging,
  options: PermissionOptions = {},
): NatsPermissions {
  assertOwnership(service, entry);
  const inbox = options.inboxPrefix ?? inboxPrefixOf(service);

  const publish: string[] = [
    // Its own events, exactly the subjects its contracts declare.
    ...entry.publishes,
    // The RPCs it calls.
    ...entry.calls,
    // Its pushes: `push.<domain>.<name>.v<N>.<user>`.
    ...entry.pushes.map((push) => `${push}.*`),
    // jetstreamManager() checks the API once on connect.
    `${JS_API}.INFO`,
  ];
  // Read-only: the platform creates the streams; the service checks at boot that those it uses
  // exist (`EVENTS_STREAMS=verify`) and never creates, changes or deletes one.
  for (const stream of streamsUsedBy(entry)) publish.push(`${JS_API}.STREAM.INFO.${stream}`);
  // Live feeds: `js.subscribe` looks the stream up by subject, then creates an ephemeral ordered
  // push consumer through the legacy create API. That subject has no consumer-name token, so it
  // cannot reach a durable consumer (those take `CONSUMER.CREATE.<S>.<name>` or `DURABLE.CREATE`);
  // messages arrive on the service's inbox, and flow-control requests are answered on `$JS.FC`.
  if (entry.reads.length > 0) publish.push(`${JS_API}.STREAM.NAMES`);
  for (const stream of [...entry.reads].sort()) {
    publish.push(`${JS_API}.CONSUMER.CREATE.${stream}`, `$JS.FC.${stream}.>`);
  }
  for (const { stream, consumer } of entry.consumes) {
    publish.push(
      `${JS_API}.CONSUMER.INFO.${stream}.${consumer}`,
      // Create and update share one API; 2.9+ puts the filter subject in the name.
      `${JS_API}.CONSUMER.CREATE.${stream}.${consumer}`,
      `${JS_API}.CONSUMER.CREATE.${stream}.${consumer}.>`,
      // nats.js falls back to the pre-2.9 durable API on older servers.
      `${JS_API}.CONSUMER.DURABLE.CREATE.${stream}.${consumer}`,
      `${JS_API}.CONSUMER.MSG.NEXT.${stream}.${consumer}`,
      // ack, nak, in-progress, term.
      `$JS.ACK.${stream}.${consumer}.>`,
      // Dead letters of this consumer only.
      `dlq.${consumer}.>`,
    );
  }

  const subscribe: string[] = [
    // Answers its RPCs only in the queue group of their domain, which every process hosting the
    // domain shares (replicas; a monolith and a service extracted from it): a stray subscriber
    // cannot steal requests.
    ...entry.answers.map((subject) => `${subject} ${domainOf(subject)}`),
    // `nats micro ls / info / stats`: each domain it answers is a NATS micro service listening, not
    // queued, on `$SRV.<verb>`, `$SRV.<verb>.<domain>` and `$SRV.<verb>.<domain>.<id>`; refused,
    // they are a permissions violation of every instance and the domain is invisible to the tools.
    ...discoverySubjects(entry.answers),
    // Pushes it relays, for any user: `push.<domain>.<name>.v<N>.<user>`.
    ...entry.receives.map((push) => `${push}.*`),
    // RPC replies, PubAcks, JetStream API replies, pulled messages and live-feed deliveries.
    `${inbox}.>`,
  ];

  return {
    publish: { allow: unique(publish) },
    subscribe: { allow: unique(subscribe) },
    allow_responses: entry.answers.length > 0,
  };
}

/** The micro protocol's verbs (`nats micro ping / info / stats`). */
const DISCOVERY_VERBS = ['PING', 'INFO', 'STATS'] as const;

/** The `$SRV` subjects the NATS micro services of the answered RPCs' domains listen on. */
function discoverySubjects(answers: readonly string[]): string[] {
  const domains = unique(answers.map(domainOf));
  if (domains.length === 0) return [];
  return [
    ...DISCOVERY_VERBS.map((verb) => `$SRV.${verb}`),
    ...domains.flatMap((domain) =>
      DISCOVERY_VERBS.flatMap((verb) => [`$SRV.${verb}.${domain}`, `$SRV.${verb}.${domain}.*`]),
    ),
  ];
}

/**
 * The streams a service touches — the rule of `streamsUsedBy` in platform-messaging, which the
 * service checks at boot with exactly these STREAM.INFO grants (keep the two in step; the
 * generated-manifest test boots every service's check against a real server): the streams of the
 * events it consumes, `DLQ` when it consumes anything (dead letters go there), its own domain's
 * stream when it publishes, and the streams it reads as a live feed.
 */
export function streamsUsedBy(entry: ServiceMessaging): string[] {
  const streams = new Set([...entry.consumes.map((consumed) => consumed.stream), ...entry.reads]);
  if (entry.consumes.length > 0) streams.add(DLQ_STREAM);
  for (const subject of entry.publishes) streams.add(domainOf(subject).toUpperCase());
  return [...streams].sort();
}

/** The dead-letter stream, as platform-messaging names it. */
const DLQ_STREAM = 'DLQ';

/** A JetStream stream name as platform-messaging spells them: `CHAT`, `DLQ`. */
const STREAM_NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * Permissions of the stream provisioner: create, update and read exactly the manifest's streams,
 * nothing else — no delete, no purge, no consumers, no messages.
 */
export function provisionerPermissions(
  streams: string[],
  user = STREAM_PROVISIONER_USER,
): NatsPermissions {
  const publish = [`${JS_API}.INFO`];
  for (const stream of [...streams].sort()) {
    publish.push(
      `${JS_API}.STREAM.INFO.${stream}`,
      `${JS_API}.STREAM.CREATE.${stream}`,
      `${JS_API}.STREAM.UPDATE.${stream}`,
    );
  }
  return {
    publish: { allow: publish },
    subscribe: { allow: [`${inboxPrefixOf(user)}.>`] },
    allow_responses: false,
  };
}

/**
 * Checks a whole manifest before anything is created: no service claims a subject it does not own
 * (`ManifestViolation`), every stream a service uses or reads is one the platform will create, and
 * every push a service receives is one some service of the manifest pushes.
 */
export function assertManifest(manifest: MessagingManifest): void {
  const defined = new Set(manifest.streams.map((stream) => stream.name));
  const pushed = new Set(Object.values(manifest.services).flatMap((entry) => entry.pushes));
  const unknownStreams: string[] = [];
  const unknownPushes: string[] = [];
  for (const [service, entry] of Object.entries(manifest.services)) {
    natsPermissionsFor(service, entry);
    for (const stream of streamsUsedBy(entry)) {
      if (defined.has(stream)) continue;
      const how = entry.reads.includes(stream) ? 'reads' : 'uses';
      unknownStreams.push(`${service} ${how} stream ${stream}`);
    }
    for (const push of entry.receives) {
      if (!pushed.has(push)) unknownPushes.push(`${service} receives ${push}`);
    }
  }
  if (unknownStreams.length > 0) {
    throw new ManifestViolation(
      `The manifest defines no such stream: ${unknownStreams.join('; ')} (streams: ${[...defined].join(', ')})`,
    );
  }
  if (unknownPushes.length > 0) {
    throw new ManifestViolation(
      `No service of the manifest pushes what is received: ${unknownPushes.join('; ')} (pushed: ${[...pushed].sort().join(', ') || 'nothing'})`,
    );
  }
}

function assertOwnership(service: string, entry: ServiceMessaging): void {
  const { domains } = entry;
  const owned = (kind: string) => domains.map((domain) => `${kind}.${domain}.>`).join(' or ');
  const hosts = (subject: string) => domains.includes(domainOf(subject));
  const problems: string[] = [];
  if (domains.length === 0) problems.push('hosts no domain');
  for (const subject of entry.publishes) {
    if (!subject.startsWith('evt.') || !hosts(subject)) {
      problems.push(`publishes ${subject}, which is not an ${owned('evt')} subject`);
    }
  }
  for (const subject of entry.answers) {
    if (!subject.startsWith('rpc.') || !hosts(subject)) {
      problems.push(`answers ${subject}, which is not an ${owned('rpc')} subject`);
    }
  }
  for (const subject of entry.calls) {
    if (!subject.startsWith('rpc.')) problems.push(`calls ${subject}, which is not an RPC subject`);
  }
  for (const subject of entry.pushes) {
    if (!subject.startsWith('push.') || !hosts(subject)) {
      problems.push(`pushes ${subject}, which is not a ${owned('push')} subject`);
    }
  }
  for (const { subject, stream, consumer } of entry.consumes) {
    const expectedStream = subject.split('.')[1]?.toUpperCase();
    if (!subject.startsWith('evt.') || stream !== expectedStream) {
      problems.push(`consumes ${subject} from stream ${stream}, which does not capture it`);
    }
    // Named for the consuming domain, one of those the service hosts.
    const names = domains.map((domain) => `${domain}_${subject.replace(/\./g, '-')}`);
    if (!names.includes(consumer)) {
      problems.push(`consumer ${consumer} should be named ${names.join(' or ')}`);
    }
  }
  for (const stream of entry.reads) {
    // A stream name only: anything after a dot would turn the ephemeral create grant into
    // `CONSUMER.CREATE.<S>.<name>`, the API of named (durable) consumers.
    if (!STREAM_NAME.test(stream)) problems.push(`reads ${stream}, which is not a stream name`);
  }
  for (const subject of entry.receives) {
    if (!PUSH_SUBJECT_PREFIX.test(subject)) {
      problems.push(`receives ${subject}, which is not a push.<domain>.<name>.v<N> subject`);
    }
  }
  const wildcard = [
    ...entry.publishes,
    ...entry.answers,
    ...entry.calls,
    ...entry.pushes,
    ...entry.receives,
  ].filter((subject) => /[*>\s]/.test(subject));
  for (const subject of wildcard) problems.push(`${subject} is not a literal subject`);
  if (problems.length > 0) {
    throw new ManifestViolation(`Service ${service} ${problems.join('; ')}`);
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** The domain that owns a subject: its second token (`evt.chat.…`, `rpc.chat.…`, `push.chat.…`). */
function domainOf(subject: string): string {
  return subject.split('.')[1] ?? '';
}
