import { resolveJwtSecret } from '@switchboard/platform-auth';
import { parseDatabaseUrl } from '@switchboard/platform-persistence';
import { z } from 'zod';

/** Injection token of the validated, typed configuration of the running service. */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

const booleanFlag = z
  .enum(['true', 'false'], { message: 'must be "true" or "false"' })
  .transform((value) => value === 'true');

const natsUrl = z
  .string()
  .refine(
    (value) =>
      value
        .split(',')
        .every((server) => /^(nats|tls|ws|wss):\/\/[^\s/]+(:\d+)?\/?$/.test(server.trim())),
    'must be one or more nats://host:port URLs separated by commas',
  );

const databaseUrl = z.string().superRefine((value, context) => {
  try {
    parseDatabaseUrl(value);
  } catch (error) {
    context.addIssue({
      code: 'custom',
      message: error instanceof Error ? error.message : String(error),
    });
  }
});

/** Environment every service reads. Services may extend it with keys of their own. */
export const baseConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  NATS_URL: natsUrl.default('nats://127.0.0.1:4222'),
  /** The service's NATS user, when the server requires one (both or neither with the password). */
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  /** `postgres://user@host:port/db` or `sqlite:<path>`. */
  DATABASE_URL: databaseUrl,
  /** Run pending migrations at boot (under an advisory lock on Postgres). */
  DB_MIGRATE: booleanFlag.default(false),
  AUTH_JWT_SECRET: z.string().optional(),
  /** Largest accepted HTTP body; larger ones get 413. */
  HTTP_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(10 * 1024 * 1024)
    .default(64 * 1024),
  /** Deliveries of an event before it goes to the DLQ. */
  EVENTS_MAX_DELIVER: z.coerce.number().int().min(1).max(100).default(5),
  /** Event handlers running at once per consumer. */
  EVENTS_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(16),
  /** First redelivery delay of a failed event; doubles per attempt. */
  EVENTS_BACKOFF_MS: z.coerce.number().int().min(1).max(600_000).default(500),
  /** Longest redelivery delay of a failed event. */
  EVENTS_MAX_BACKOFF_MS: z.coerce.number().int().min(1).max(3_600_000).default(30_000),
  /** How long JetStream waits for an ack before redelivering (e.g. after a consumer crashed). */
  EVENTS_ACK_WAIT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(30_000),
  /**
   * Replicas of the event streams: 1 on one nats-server, 3 on a JetStream cluster. Only matters with
   * `EVENTS_STREAMS=ensure`: in `verify` mode the platform creates the streams, replicas included.
   */
  EVENTS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  /**
   * Who creates the JetStream streams. `ensure`: the service creates and updates them at boot (local
   * runs, tests, `npm start`). `verify`: the platform provisions them and the service only checks
   * that the ones it uses exist (deployments, where its NATS user cannot create streams).
   */
  EVENTS_STREAMS: z.enum(['ensure', 'verify']).default('ensure'),
  /**
   * The release this process runs (the deploy pipeline sets the git sha), sent as
   * `x-service-release` on every HTTP response so a client can tell which release answered.
   */
  SERVICE_RELEASE: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, . _ - (a git sha, a version)')
    .optional(),
  /** Time between "not ready" and closing the listener, for load balancers to notice. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  /** Past this the process exits 1 even if work is still draining. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(15_000),
});

export type BaseConfig = z.output<typeof baseConfigSchema>;

/** One hosted domain's database, and the environment key that named it. */
export interface DomainDatabase {
  domain: string;
  url: string;
  /** The environment key that names it (`DATABASE_URL_CHAT`, `DATABASE_URL`), set or defaulted. */
  key: string;
}

/** The validated configuration plus what was derived from it at boot. */
export type ServiceConfig<Extra extends z.ZodRawShape = z.ZodRawShape> = BaseConfig &
  z.output<z.ZodObject<Extra>> & {
    /** The service's name, e.g. `chat`. */
    SERVICE_NAME: string;
    /** The domains the process hosts, e.g. `['chat']`, or all four in the monolith. */
    DOMAINS: string[];
    /** Each hosted domain's own database (none without a database). */
    DATABASES: DomainDatabase[];
    /** The JWT secret in force (the dev default when none was set outside production). */
    JWT_SECRET: string;
    /** True when the dev default secret is in use; the service logs a warning. */
    JWT_SECRET_IS_DEV_DEFAULT: boolean;
  };

/** Boot stops with this when the environment is wrong; the message names every bad key. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly serviceName: string,
    readonly problems: { key: string; message: string }[],
  ) {
    super(
      `Invalid configuration for service "${serviceName}":\n` +
        problems.map((problem) => `  - ${problem.key}: ${problem.message}`).join('\n'),
    );
  }
}

export interface LoadConfigOptions<Extra extends z.ZodRawShape> {
  serviceName: string;
  defaultPort: number;
  extraSchema?: z.ZodObject<Extra>;
  env?: NodeJS.ProcessEnv;
  /**
   * `false` for a service without a database: `DATABASE_URL` and `DB_MIGRATE` are not read (their
   * values in the result are `""` and `false`).
   */
  database?: boolean;
  /**
   * The domains the process hosts, each with a database of its own: `DATABASE_URL_<DOMAIN>`, or
   * for a process hosting one domain `DATABASE_URL` too; outside production, by default the sqlite
   * file `.switchboard/data/<domain>.sqlite` — the same file whichever process hosts the domain.
   * Default: one domain named after the service.
   */
  domains?: readonly string[];
}

/** `chat` → `DATABASE_URL_CHAT`. */
export function databaseUrlKey(domain: string): string {
  return `DATABASE_URL_${domain.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * Validates the environment once, at boot, into a typed object. Every problem is reported at once
 * so an operator fixes them in one round, not one restart per key.
 */
export function loadConfig<Extra extends z.ZodRawShape = Record<never, never>>(
  options: LoadConfigOptions<Extra>,
): ServiceConfig<Extra> {
  const env = options.env ?? process.env;
  const isProduction = env['NODE_ENV'] === 'production';
  const hasDatabase = options.database ?? true;
  const domains = options.domains ?? [options.serviceName];
  // The embedded database is a development convenience; production must say where its data lives.
  const devDefault = (domain: string): string | undefined =>
    isProduction ? undefined : `sqlite:.switchboard/data/${domain}.sqlite`;
  const single = hasDatabase && domains.length === 1 ? domains[0] : undefined;
  const singleKey =
    single !== undefined && env[databaseUrlKey(single)] !== undefined
      ? databaseUrlKey(single)
      : 'DATABASE_URL';
  const withDefaults: Record<string, string | undefined> = {
    ...env,
    PORT: env['PORT'] ?? String(options.defaultPort),
    // One domain: its URL is DATABASE_URL's (in the result). Several: each reads its own key.
    DATABASE_URL: single !== undefined ? (env[singleKey] ?? devDefault(single)) : '',
    DB_MIGRATE: hasDatabase ? env['DB_MIGRATE'] : 'false',
  };
  const base =
    single !== undefined
      ? baseConfigSchema
      : baseConfigSchema.extend({
          DATABASE_URL: z.literal(''),
          DB_MIGRATE: hasDatabase ? baseConfigSchema.shape.DB_MIGRATE : booleanFlag,
        });
  const schema = options.extraSchema ? base.extend(options.extraSchema.shape) : base;
  const parsed = schema.safeParse(withDefaults);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({
        key:
          (issue.path[0] === 'DATABASE_URL' && singleKey) ||
          issue.path.map(String).join('.') ||
          '(environment)',
        message: issue.message,
      }));
  const databases: DomainDatabase[] = [];
  if (single !== undefined) {
    if (parsed.success) {
      const url = withDefaults['DATABASE_URL'] as string;
      databases.push({ domain: single, url, key: singleKey });
    }
  } else if (hasDatabase) {
    databases.push(...domainDatabases(env, domains, devDefault, problems));
  }

  let jwt: { secret: string; isDevDefault: boolean } | undefined;
  try {
    jwt = resolveJwtSecret({ NODE_ENV: env['NODE_ENV'], AUTH_JWT_SECRET: env['AUTH_JWT_SECRET'] });
  } catch (error) {
    problems.push({
      key: 'AUTH_JWT_SECRET',
      message: error instanceof Error ? error.message : String(error),
    });
  }

  if ((env['NATS_USER'] === undefined) !== (env['NATS_PASSWORD'] === undefined)) {
    problems.push({
      key: env['NATS_USER'] === undefined ? 'NATS_USER' : 'NATS_PASSWORD',
      message: 'NATS_USER and NATS_PASSWORD go together: set both or neither',
    });
  }

  if (!parsed.success || !jwt || problems.length > 0) {
    throw new ConfigError(options.serviceName, problems);
  }
  return {
    ...(parsed.data as BaseConfig & z.output<z.ZodObject<Extra>>),
    SERVICE_NAME: options.serviceName,
    DOMAINS: [...domains],
    DATABASES: databases,
    JWT_SECRET: jwt.secret,
    JWT_SECRET_IS_DEV_DEFAULT: jwt.isDevDefault,
  };
}

/**
 * The databases of a process hosting several domains: `DATABASE_URL_<DOMAIN>` each (or the
 * development default), all different — two domains never share tables, an outbox or a migrations
 * table, so extracting one never needs a data split. A lone `DATABASE_URL` is refused: it cannot
 * say whose database it is.
 */
function domainDatabases(
  env: NodeJS.ProcessEnv,
  domains: readonly string[],
  devDefault: (domain: string) => string | undefined,
  problems: { key: string; message: string }[],
): DomainDatabase[] {
  if (env['DATABASE_URL'] !== undefined) {
    problems.push({
      key: 'DATABASE_URL',
      message:
        `a process hosting ${domains.join(', ')} has a database per domain: set ` +
        `${domains.map(databaseUrlKey).join(', ')} instead`,
    });
  }
  const databases: DomainDatabase[] = [];
  for (const domain of domains) {
    const key = databaseUrlKey(domain);
    const url = env[key] ?? devDefault(domain);
    const parsed = databaseUrl.safeParse(url);
    if (url === undefined || !parsed.success) {
      problems.push({
        key,
        message:
          url === undefined
            ? 'required in production'
            : (parsed.error?.issues[0]?.message ?? 'invalid'),
      });
      continue;
    }
    const twin = databases.find((database) => database.url === url);
    if (twin) {
      problems.push({
        key,
        message: `the same database as ${twin.key}: each domain keeps its own`,
      });
      continue;
    }
    databases.push({ domain, url, key });
  }
  return databases;
}
