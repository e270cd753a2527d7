import { type DynamicModule, type Type } from '@nestjs/common';
import { type EventContract, type PushContract, type RpcContract } from '@switchboard/contracts';
import { type MigrationClass, type PersistenceEntity } from '@switchboard/platform-persistence';
import { type z } from 'zod';

/**
 * One domain as a host sees it: its name, its Nest module and the tables it owns. A service hosts
 * one domain; a monolith hosts several without changing a line of them.
 */
export interface DomainDefinition {
  /**
   * The domain's name, from its contracts (`Chat.DOMAIN`): the second token of the subjects it
   * owns, the queue group of its RPCs and the prefix of its durable consumers — the same whichever
   * process hosts it, so moving it between processes keeps its consumers' positions.
   */
  name: string;
  module: Type | DynamicModule;
  entities: PersistenceEntity[];
  migrations: MigrationClass[];
  /**
   * Environment keys the domain reads (e.g. `BOTS_REPLIES_PER_MINUTE`), validated at boot with the
   * base ones and injected through `SERVICE_CONFIG`, whichever host runs the domain.
   */
  config?: z.ZodObject;
  /**
   * The RPCs of other services this domain calls. `RpcClient` refuses any other, and the messaging
   * manifest (`--messaging-manifest`) lists them, so the NATS permissions of a deployment, generated
   * from it, allow exactly these calls.
   */
  calls?: readonly RpcContract[];
  /**
   * Events the domain reads as a live feed (ephemeral ordered consumers, no durable position, no
   * inbox): a realtime edge forwarding them to sockets. The manifest lists their streams, so a
   * deployment grants exactly those reads.
   */
  reads?: readonly EventContract[];
  /** Pushes of other domains the domain subscribes to, for any user (`push.<domain>.<name>.v<N>.*`). */
  receives?: readonly PushContract[];
}

/** What `bootstrapService` needs to run a service. */
export interface ServiceDefinition<Extra extends z.ZodRawShape = z.ZodRawShape> {
  /** The process's lower-case name: logs, NATS connection name and inbox, default SQLite file. */
  name: string;
  /** Port used when `PORT` is not set (ARCHITECTURE.md: chat 3101, stories 3102, …). */
  defaultPort: number;
  domains: DomainDefinition[];
  /**
   * Whether the service has a database (default `true`). A service without one (the gateway) reads
   * no `DATABASE_URL`, has no outbox, inbox or durable event consumers, and its readiness does not
   * check a database.
   */
  database?: boolean;
  /** Environment keys of the service's own, validated together with the base ones. */
  config?: z.ZodObject<Extra>;
  /**
   * For a host that can carry any of its `domains` (the monolith): the environment key naming
   * which to host, comma-separated (`HOST_DOMAINS=chat,bots`); all of them when it is not set. A
   * topology runs the same host as one process of everything or of a few domains.
   */
  hostDomainsKey?: string;
}
