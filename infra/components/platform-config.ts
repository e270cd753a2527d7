import * as pulumi from '@pulumi/pulumi';
import { SERVICE_NAMES, SERVICES, type ServiceName } from '../docker/catalogue';

/** What each service's platform users are created with. */
export interface ServiceSecrets {
  natsPassword: pulumi.Input<string>;
  /** Password of its Postgres role; only a service with a database has one (not the gateway). */
  databasePassword?: pulumi.Input<string>;
}

/** `platform-dev` → `dev`; any other stack name is refused. */
export function platformEnvOf(stack: string): string {
  const match = /^platform-([a-z0-9-]+)$/.exec(stack);
  if (!match) throw new Error(`Stack "${stack}" must be named platform-<env>`);
  return match[1];
}

/**
 * Every service's passwords, from the stack's config — only ever as secrets: `<svc>NatsPassword`
 * for each, `<svc>DatabasePassword` for each service with a database.
 */
export function serviceSecretsFrom(config: pulumi.Config): Record<ServiceName, ServiceSecrets> {
  const secrets = {} as Record<ServiceName, ServiceSecrets>;
  for (const service of SERVICE_NAMES) {
    secrets[service] = { natsPassword: config.requireSecret(`${service}NatsPassword`) };
    if (SERVICES[service].database) {
      secrets[service].databasePassword = config.requireSecret(`${service}DatabasePassword`);
    }
  }
  return secrets;
}

/**
 * The database password of each service with a database; refuses a missing one, and one given for
 * a service that has no database (it would create a role nobody uses).
 */
export function databasePasswordsOf(
  secrets: Record<ServiceName, ServiceSecrets>,
): { service: ServiceName; password: pulumi.Input<string> }[] {
  const databases: { service: ServiceName; password: pulumi.Input<string> }[] = [];
  for (const service of SERVICE_NAMES) {
    const password = secrets[service].databasePassword;
    if (!SERVICES[service].database) {
      if (password !== undefined) throw new Error(`${service} has no database: no password for it`);
      continue;
    }
    if (password === undefined) throw new Error(`No database password for ${service}`);
    databases.push({ service, password });
  }
  return databases;
}
