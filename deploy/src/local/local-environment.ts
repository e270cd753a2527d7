import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../cli/usage-error';

const url = z.url({ protocol: /^https?$/ }).transform((value) => value.replace(/\/+$/, ''));

/**
 * How the `local` target reaches an environment on this machine, from
 * `.switchboard/environments/<env>.json` (or `--config <file>`). Without a file, what `npm start`
 * runs: NATS on 4222, the gateway on 3000, each service on its SQLite file.
 */
export const LocalEnvironment = z
  .object({
    natsUrl: z
      .string()
      .regex(/^nats:\/\/[^\s/]+$/, 'nats://host:port')
      .default('nats://127.0.0.1:4222'),
    /** Every gateway replica: the switch is done once each of them applies it. */
    gateways: z.array(url).min(1).default(['http://127.0.0.1:3000']),
    /** Environment of each service's processes, on top of PORT, HOST and SERVICE_RELEASE. */
    services: z
      .record(z.string(), z.object({ env: z.record(z.string(), z.string()).default({}) }))
      .default({}),
    /** How long a new release must stay healthy under traffic before the old one goes. */
    gateSeconds: z.number().min(0).max(3_600).default(10),
    /** Largest share of 5xx answers the gate accepts (of at least `gateMinRequests`). */
    gateMaxErrorRate: z.number().min(0).max(1).default(0.01),
    gateMinRequests: z.number().int().min(1).default(1),
    /** How long a new release may take to answer `/health/ready` 200. */
    readyTimeoutSeconds: z.number().min(1).max(3_600).default(60),
  })
  .strict();
export type LocalEnvironment = z.output<typeof LocalEnvironment>;

export function loadLocalEnvironment(
  workspaceRoot: string,
  env: string,
  file?: string,
): LocalEnvironment {
  const path = file ?? join(workspaceRoot, '.switchboard', 'environments', `${env}.json`);
  if (!existsSync(path)) {
    if (file !== undefined) throw new UsageError(`--config ${file}: no such file`);
    return LocalEnvironment.parse({});
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`${path}: not JSON (${(error as Error).message})`);
  }
  const parsed = LocalEnvironment.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(
      `${path}: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

/** What a service's process gets when the environment file says nothing of it: npm start's defaults. */
export function serviceEnv(
  workspaceRoot: string,
  environment: LocalEnvironment,
  service: string,
): Record<string, string> {
  const defaults: Record<string, string> =
    service === 'gateway'
      ? {}
      : {
          DATABASE_URL: `sqlite:${join(workspaceRoot, '.switchboard', 'data', `${service}.sqlite`)}`,
          DB_MIGRATE: 'true',
        };
  return {
    NATS_URL: environment.natsUrl,
    ...defaults,
    ...(environment.services[service]?.env ?? {}),
  };
}
