import * as pulumi from '@pulumi/pulumi';
import { SERVICE_NAMES, type ServiceName } from '../docker/catalogue';

/** What each service's platform users are created with. */
export interface ServiceSecrets {
  natsPassword: pulumi.Input<string>;
  databasePassword: pulumi.Input<string>;
}

/** `platform-dev` → `dev`; any other stack name is refused. */
export function platformEnvOf(stack: string): string {
  const match = /^platform-([a-z0-9-]+)$/.exec(stack);
  if (!match) throw new Error(`Stack "${stack}" must be named platform-<env>`);
  return match[1];
}

/** Every service's passwords, from the stack's config — only ever as secrets. */
export function serviceSecretsFrom(config: pulumi.Config): Record<ServiceName, ServiceSecrets> {
  const secrets = {} as Record<ServiceName, ServiceSecrets>;
  for (const service of SERVICE_NAMES) {
    secrets[service] = {
      natsPassword: config.requireSecret(`${service}NatsPassword`),
      databasePassword: config.requireSecret(`${service}DatabasePassword`),
    };
  }
  return secrets;
}
