import { type DynamicModule, Global, Logger as NestLogger, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { TerminusModule } from '@nestjs/terminus';
import { AuthModule } from '@switchboard/platform-auth';
import {
  currentSpanId,
  currentTraceId,
  EventConsumersHealth,
  JetStreamTransport,
  MESSAGING_ENTITIES,
  MESSAGING_MIGRATIONS,
  messagingMetricsOf,
  MessagingModule,
  NATS_CONNECTION,
  NatsTransport,
  Outbox,
  OutboxRelay,
  watchOutbox,
} from '@switchboard/platform-messaging';
import {
  buildDataSourceOptions,
  DatabaseHealth,
  DomainDatabaseModule,
  domainDataSourceToken,
  type MigrationClass,
  type PersistenceEntity,
  runMigrations,
} from '@switchboard/platform-persistence';
import { Logger, LoggerModule } from 'nestjs-pino';
import { type NatsConnection } from 'nats';
import { randomUUID } from 'node:crypto';
import { type IncomingMessage } from 'node:http';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import {
  type DomainDatabase,
  loadConfig,
  SERVICE_CONFIG,
  type ServiceConfig,
} from '../config/service-config';
import { HealthController } from '../health/health.controller';
import { ReadinessChecks } from '../health/readiness-checks';
import { ServiceLifecycle } from '../health/service-lifecycle';
import { DomainRouteGuard, DomainRoutes } from '../http/domain-routes';
import { HttpErrorFilter } from '../http/http-error.filter';
import { useConnectionCloseOnShutdown, useReleaseHeader } from '../http/connection-close.hook';
import { useHttpTraceContext } from '../http/http-trace.hook';
import { isInternalPath, pathOf } from '../http/internal-paths';
import { useJsonBodyParser } from '../http/json-body.parser';
import { useMetricsEndpoint } from '../http/metrics.endpoint';
import { DEFAULT_API_VERSION } from '../openapi/openapi-docs.service';
import { OpenApiModule } from '../openapi/openapi.module';
import { AsyncApiModule } from '../asyncapi/asyncapi.module';
import { type HostedDomain, hostedDomainsOf } from './messaging-manifest';
import { type DomainDefinition, type ServiceDefinition } from './service-definition';

export interface ServiceApp<Extra extends z.ZodRawShape = z.ZodRawShape> {
  app: NestFastifyApplication;
  config: ServiceConfig<Extra>;
  lifecycle: ServiceLifecycle;
  /** The JetStream consumers of the hosted domains' event handlers; absent without a database. */
  eventConsumers?: JetStreamTransport;
}

@Global()
@Module({})
class ServiceCoreModule {}

/**
 * Validates the environment and composes the service: config → logger → database → NATS → HTTP,
 * RPC and event handlers → health. Nothing listens yet: `bootstrapService` binds the port, tests use
 * the app with supertest. Throws `ConfigError` (naming every bad key) before touching anything.
 */
export async function createServiceApp<Extra extends z.ZodRawShape>(
  definition: ServiceDefinition<Extra>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ServiceApp<Extra>> {
  const hasDatabase = definition.database ?? true;
  // Refuses, before anything starts, domains that cannot share this process.
  const hosted = hostedDomainsOf(definition);
  const config = loadConfig({
    serviceName: definition.name,
    defaultPort: definition.defaultPort,
    extraSchema: configOf(definition),
    env,
    database: hasDatabase,
    domains: hosted.map((domain) => domain.name),
  });

  const domainRoutes = new DomainRoutes(definition.domains);
  // One registry per app, served at /metrics: a test process building several apps keeps them apart.
  const metrics = new Registry();
  const core: DynamicModule = {
    module: ServiceCoreModule,
    imports: [
      LoggerModule.forRoot({
        pinoHttp: {
          level: config.LOG_LEVEL,
          base: { service: definition.name },
          // Every line written during a request, an RPC or an event handler names its trace,
          // and while tracing is on the span it was written in.
          mixin: () => {
            const traceId = currentTraceId();
            if (traceId === undefined) return {};
            const spanId = currentSpanId();
            return spanId === undefined
              ? { trace_id: traceId }
              : { trace_id: traceId, span_id: spanId };
          },
          // The request id is Fastify's (`genReqId` of the adapter below): pino-http takes the
          // one the request already has. Probes and scrapes are not logged; the middleware is
          // mounted by @fastify/middie, which hands it the URL relative to its mount point and
          // keeps the whole one in `originalUrl`.
          autoLogging: { ignore: (request) => isInternalPath(pathOf(originalUrlOf(request))) },
          redact: ['req.headers.authorization', 'req.headers.cookie'],
        },
      }),
      TerminusModule,
      MessagingModule.forRoot({
        serviceName: definition.name,
        natsUrl: config.NATS_URL,
        ...(config.NATS_USER && config.NATS_PASSWORD
          ? { natsCredentials: { user: config.NATS_USER, password: config.NATS_PASSWORD } }
          : {}),
        domains: hosted.map((domain) => domain.name),
        metricsRegistry: metrics,
        declaredCalls: definition.domains.flatMap((domain) => domain.calls ?? []),
      }),
      AuthModule.forRoot({ jwtSecret: config.JWT_SECRET }),
      OpenApiModule.forRoot({ title: definition.name, domainRoutes }),
      AsyncApiModule.forRoot({ definition }),
    ],
    controllers: [HealthController],
    providers: [
      { provide: SERVICE_CONFIG, useValue: config },
      ServiceLifecycle,
      ReadinessChecks,
      { provide: APP_FILTER, useClass: HttpErrorFilter },
      ...(hasDatabase ? [Outbox] : []),
    ],
    exports: [
      SERVICE_CONFIG,
      ServiceLifecycle,
      ReadinessChecks,
      AsyncApiModule,
      ...(hasDatabase ? [Outbox] : []),
    ],
  };

  // Each domain gets its own database, imported into its module only (see DomainDatabaseModule).
  const domainModules = definition.domains.map((domain) => {
    const database = config.DATABASES.find((entry) => entry.domain === domain.name);
    return database === undefined
      ? domain.module
      : withDatabase(domain, database, config.DB_MIGRATE, config.DATABASES.length > 1, metrics);
  });

  @Module({ imports: [core, ...domainModules] })
  class ServiceRootModule {}

  const adapter = new FastifyAdapter({
    bodyLimit: config.HTTP_BODY_LIMIT_BYTES,
    // Log lines carry the request id; clients (the gateway) may pass their own to correlate.
    genReqId: requestIdOf,
    // Answer 503 to requests that arrive on kept-alive connections while we close.
    return503OnClosing: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(ServiceRootModule, adapter, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  // Before the module-provided guards (authentication): a route of another domain is not there.
  app.useGlobalGuards(new DomainRouteGuard(domainRoutes));
  useJsonBodyParser(app, config.HTTP_BODY_LIMIT_BYTES);
  useHttpTraceContext(app);
  useMetricsEndpoint(app, metrics);
  useConnectionCloseOnShutdown(app, app.get(ServiceLifecycle));
  useReleaseHeader(app, config.SERVICE_RELEASE);
  if (config.JWT_SECRET_IS_DEV_DEFAULT) {
    new NestLogger('Auth').warn(
      'AUTH_JWT_SECRET is not set: using the development default. Never run like this in production.',
    );
  }

  app.connectMicroservice(
    {
      strategy: new NatsTransport({
        connection: app.get<NatsConnection>(NATS_CONNECTION),
        metrics: messagingMetricsOf(metrics),
        // What `nats micro info <domain>` shows of the process: its name, the workspace's
        // version (the micro protocol wants semver) and the release it runs, when it has one.
        serviceName: definition.name,
        version: DEFAULT_API_VERSION,
        release: config.SERVICE_RELEASE,
      }),
    },
    { inheritAppConfig: true },
  );
  const eventConsumers = hasDatabase
    ? connectEventConsumers(app, hosted, config, metrics)
    : undefined;
  try {
    await app.startAllMicroservices();
  } catch (error) {
    // E.g. StreamsNotProvisioned: release NATS and the database, so the caller (a test, or
    // bootstrapService reporting the error) is not held up by open handles.
    await app.close().catch(() => undefined);
    throw error;
  }
  return { app, config, lifecycle: app.get(ServiceLifecycle), eventConsumers };
}

/**
 * A domain's module with its database imported into it: its providers inject `DataSource` and get
 * the domain's own, next to which live its outbox relay and its readiness check (`database`, or
 * `database:<domain>` in a process hosting several).
 */
function withDatabase(
  domain: DomainDefinition,
  database: DomainDatabase,
  migrate: boolean,
  several: boolean,
  metrics: Registry,
): DynamicModule {
  const readinessKey = several ? `database:${domain.name}` : 'database';
  const imported = DomainDatabaseModule.forDomain({
    domain: domain.name,
    url: database.url,
    urlKey: database.key,
    ...tablesOf(domain),
    migrate,
    providers: [
      OutboxRelay,
      {
        provide: `OutboxMetrics:${domain.name}`,
        inject: [DataSource],
        useFactory: (dataSource: DataSource) => watchOutbox(metrics, domain.name, dataSource),
      },
      {
        provide: `Readiness:${readinessKey}`,
        inject: [DatabaseHealth, ReadinessChecks],
        useFactory: (health: DatabaseHealth, readiness: ReadinessChecks) =>
          readiness.add({
            name: readinessKey,
            critical: true,
            check: () => health.check(readinessKey),
          }),
      },
    ],
  });
  const { module } = domain;
  return 'module' in module
    ? { ...module, imports: [...(module.imports ?? []), imported] }
    : { module, imports: [imported] };
}

/**
 * The durable JetStream consumers of the hosted domains' `@EventHandler`s, with their inbox: one
 * transport for all of them, each domain's consumers named for it and run in its database.
 */
function connectEventConsumers(
  app: NestFastifyApplication,
  hosted: HostedDomain[],
  config: ServiceConfig,
  metrics: Registry,
): JetStreamTransport {
  const consumers = new JetStreamTransport({
    connection: app.get<NatsConnection>(NATS_CONNECTION),
    domains: hosted.map((domain) => ({
      name: domain.name,
      dataSource: app.get<DataSource>(domainDataSourceToken(domain.name)),
      subjects: domain.consumes,
      publishesEvents: domain.publishesEvents,
    })),
    maxDeliver: config.EVENTS_MAX_DELIVER,
    concurrency: config.EVENTS_CONCURRENCY,
    backoffMs: config.EVENTS_BACKOFF_MS,
    maxBackoffMs: config.EVENTS_MAX_BACKOFF_MS,
    ackWaitMs: config.EVENTS_ACK_WAIT_MS,
    streamReplicas: config.EVENTS_STREAM_REPLICAS,
    streams: config.EVENTS_STREAMS,
    metrics: messagingMetricsOf(metrics),
  });
  app.connectMicroservice({ strategy: consumers }, { inheritAppConfig: true });
  const health = app.get(EventConsumersHealth);
  health.attach(consumers);
  // Without a database there is no inbox, so no durable consumers to watch.
  app.get(ReadinessChecks).add({ name: 'consumers', critical: true, check: () => health.check() });
  return consumers;
}

/** The service's own keys plus those its domains declare, validated as one schema. */
function configOf<Extra extends z.ZodRawShape>(
  definition: ServiceDefinition<Extra>,
): z.ZodObject<Extra> | undefined {
  const shapes = [
    ...definition.domains.flatMap((domain) => (domain.config ? [domain.config.shape] : [])),
    ...(definition.config ? [definition.config.shape] : []),
  ];
  if (shapes.length === 0) return undefined;
  return z.object(Object.assign({}, ...shapes) as Extra);
}

/** A domain's tables: the platform's outbox and inbox, then its own. */
function tablesOf(domain: DomainDefinition): {
  entities: PersistenceEntity[];
  migrations: MigrationClass[];
} {
  return {
    entities: [...MESSAGING_ENTITIES, ...domain.entities],
    migrations: [...MESSAGING_MIGRATIONS, ...domain.migrations],
  };
}

/**
 * Runs the service's pending migrations (under the advisory lock on Postgres) and closes the
 * database, touching nothing else: no NATS, no HTTP. Returns the exit code; problems go to stderr.
 */
export async function migrateOnly(
  definition: ServiceDefinition,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (definition.database === false) {
    process.stdout.write(`${definition.name} has no database: nothing to migrate\n`);
    return 0;
  }
  let dataSource: DataSource | undefined;
  try {
    const config = loadConfig({
      serviceName: definition.name,
      defaultPort: definition.defaultPort,
      extraSchema: configOf(definition),
      env,
      domains: definition.domains.map((domain) => domain.name),
    });
    // Each domain's database in turn, with its own migrations.
    for (const domain of definition.domains) {
      const database = config.DATABASES.find((entry) => entry.domain === domain.name);
      if (database === undefined) continue;
      dataSource = new DataSource(
        buildDataSourceOptions({ url: database.url, ...tablesOf(domain) }),
      );
      await dataSource.initialize();
      const applied = await runMigrations(dataSource);
      await dataSource.destroy();
      const prefix = config.DATABASES.length > 1 ? `${domain.name}: ` : '';
      process.stdout.write(
        applied.length > 0
          ? `${prefix}Applied migrations: ${applied.join(', ')}\n`
          : `${prefix}No pending migrations\n`,
      );
    }
    return 0;
  } catch (error) {
    process.stderr.write(
      `${definition.name}: migrations failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  } finally {
    if (dataSource?.isInitialized) await dataSource.destroy().catch(() => undefined);
  }
}

/** The caller's `x-request-id` when it sent a usable one, else a new UUID. */
function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && given.length > 0 && given.length <= 128
    ? given
    : randomUUID();
}

/** The URL a request was sent to, before a middleware mount point cut its prefix off. */
function originalUrlOf(request: IncomingMessage): string {
  return (request as IncomingMessage & { originalUrl?: string }).originalUrl ?? request.url ?? '/';
}
