import type { StreamDefinition } from '../streams/provision-streams';

export type { StreamDefinition };

/**
 * Shape of `infra/generated/messaging-manifest.json`, generated from the contracts: what each
 * service answers, calls, publishes, pushes, consumes, reads and receives. Permissions are derived from it; none
 * are typed by hand.
 */
export interface ConsumedStream {
  /** Event subject the durable consumer filters on, e.g. `evt.stories.story.replied.v1`. */
  subject: string;
  /** JetStream stream that captures it, e.g. `STORIES`. */
  stream: string;
  /** Durable consumer name, `<consuming domain>_<subject with dots → dashes>`. */
  consumer: string;
}

export interface ServiceMessaging {
  /**
   * The domains the service hosts (one, or several in a monolith): their `evt.<domain>.…`,
   * `rpc.<domain>.…` and `push.<domain>.…` subjects are its own.
   */
  domains: string[];
  /** RPC subjects the service answers (queue group = the subject's domain). */
  answers: string[];
  /** RPC subjects the service calls. */
  calls: string[];
  /** Event subjects the service publishes (through its outbox relay). */
  publishes: string[];
  /** Push subject bases; the wire subject appends the user: `push.calls.signal.v1.<user>`. */
  pushes: string[];
  /** Durable consumers the service pulls from. */
  consumes: ConsumedStream[];
  /**
   * Streams the service reads as a live feed, e.g. `CHAT`: ephemeral ordered push consumers that
   * the server names (no durable position, no acks), delivered to the service's own inbox. Grants
   * the stream's info, the ephemeral create API and flow-control replies — no durable consumer.
   */
  reads: string[];
  /**
   * Push subject bases the service subscribes to for every user, e.g. `push.calls.signal.v1` (the
   * wire subject appends the user). May name another domain's pushes, as long as some service of
   * the manifest pushes them.
   */
  receives: string[];
}

export interface MessagingManifest {
  services: Record<string, ServiceMessaging>;
  /**
   * The JetStream streams the services expect (one per domain + `DLQ`), as the platform library
   * defines them, without replicas: the platform's stream provisioner creates them with the
   * replica count of its NATS deployment.
   */
  streams: StreamDefinition[];
}

/** The service names of a manifest, sorted so that generated output is stable. */
export function serviceNames(manifest: MessagingManifest): string[] {
  return Object.keys(manifest.services).sort();
}
