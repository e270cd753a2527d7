import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { type z } from 'zod';
import { ConfigError } from '../config/service-config';
import { createServiceApp, migrateOnly, type ServiceApp } from './create-service-app';
import { selectHostedDomains } from './host-domains';
import { messagingManifestOf } from './messaging-manifest';
import { type ServiceDefinition } from './service-definition';
import { startTelemetry, type Telemetry } from '../telemetry/telemetry';

/** `node main.js --messaging-manifest` prints the service's messaging manifest and exits. */
export const MESSAGING_MANIFEST_FLAG = '--messaging-manifest';

/**
 * `node main.js --migrate` runs the pending migrations and exits (0, or 1 on failure): a
 * deployment's migration job, before the new version's pods start with `DB_MIGRATE=false`.
 */
export const MIGRATE_FLAG = '--migrate';

/**
 * The `main.ts` of every service: validate config, start tracing when the `OTEL_*` variables ask
 * for it (`startTelemetry`), start, listen, and on SIGTERM/SIGINT shut down
 * in the order that loses nothing — readiness 503 first, then stop taking HTTP requests and finish
 * the ones in flight, stop NATS handlers, drain NATS, close the database, exit 0.
 */
export async function bootstrapService<Extra extends z.ZodRawShape>(
  host: ServiceDefinition<Extra>,
): Promise<ServiceApp<Extra> | undefined> {
  let definition: ServiceDefinition<Extra>;
  try {
    definition = selectHostedDomains(host);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
  if (process.argv.includes(MESSAGING_MANIFEST_FLAG)) {
    // What the deployment generates NATS permissions from; reads code only, connects to nothing.
    process.stdout.write(`${JSON.stringify(messagingManifestOf(definition), null, 2)}\n`);
    return undefined;
  }
  if (process.argv.includes(MIGRATE_FLAG)) {
    process.exit(await migrateOnly(definition));
  }
  let telemetry: Telemetry | undefined;
  let service: ServiceApp<Extra>;
  try {
    // Before the app exists: the Postgres instrumentation must see TypeORM load `pg`.
    telemetry = await startTelemetry(definition.name);
    service = await createServiceApp(definition);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      new Logger('Bootstrap').error(
        error instanceof Error ? (error.stack ?? error.message) : String(error),
      );
      process.stderr.write(`Service "${definition.name}" failed to start: ${String(error)}\n`);
    }
    // Exit explicitly: a half-open NATS or database handle would otherwise keep the process alive.
    process.exit(1);
  }

  const { app, config, lifecycle } = service;
  const log = new Logger('Bootstrap');
  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.log(`${signal} received: shutting down`);
    lifecycle.beginShutdown();
    const deadline = setTimeout(() => {
      log.error(`Shutdown took longer than ${config.SHUTDOWN_TIMEOUT_MS} ms; exiting anyway`);
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    try {
      if (config.SHUTDOWN_GRACE_MS > 0) await sleep(config.SHUTDOWN_GRACE_MS);
      await app.close();
      // Spans still buffered (the last requests', the shutdown's own) go out before the exit.
      await telemetry?.shutdown();
      log.log('Stopped cleanly');
      process.exit(0);
    } catch (error) {
      log.error(`Shutdown failed: ${String(error)}`);
      process.exit(1);
    }
  };
  process.once('SIGTERM', (signal) => void shutdown(signal));
  process.once('SIGINT', (signal) => void shutdown(signal));

  await app.listen({ port: config.PORT, host: config.HOST });
  log.log(`${definition.name} listening on http://${config.HOST}:${config.PORT}`);
  return service;
}
