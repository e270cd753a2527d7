import { type MessagingManifest, serviceNames } from './manifest';
import {
  natsPermissionsFor,
  type NatsPermissions,
  type StreamProvisioning,
  streamsOf,
} from './permissions';

export interface NatsConfigOptions {
  manifest: MessagingManifest;
  /** Password of each service's user, by service name. */
  passwords: Record<string, string>;
  /** Client port. Default 4222. */
  port?: number;
  /** HTTP monitoring port (`/healthz`, `/varz`, `/jsz`). Default 8222. */
  monitorPort?: number;
  /** Where JetStream keeps its files (a volume). Default `/data/jetstream`. */
  storeDir?: string;
  /**
   * How often JetStream fsyncs (`"2m"` is the server default; `"always"` trades throughput for no
   * loss on power failure). Omitted from the file when unset: nats-server < 2.10 rejects the key.
   */
  syncInterval?: string;
  /** Name of the account all service users share (the streams live in it). */
  account?: string;
  streamProvisioning?: StreamProvisioning;
  serverName?: string;
}

/** The account the services share; JetStream is enabled for it. */
export const SERVICES_ACCOUNT = 'SWITCHBOARD';

/**
 * Renders a nats-server config: JetStream on, monitoring port, one user per service in one account
 * with the least-privilege permissions of `natsPermissionsFor`. Throws when a service has no
 * password or the manifest claims a subject a service does not own.
 */
export function renderNatsConfig(options: NatsConfigOptions): string {
  const account = options.account ?? SERVICES_ACCOUNT;
  const streams = streamsOf(options.manifest);
  const users = serviceNames(options.manifest).map((service) => {
    const password = options.passwords[service];
    if (password === undefined || password === '') {
      throw new Error(`No NATS password for service ${service}`);
    }
    const permissions = natsPermissionsFor(service, options.manifest.services[service], {
      streams,
      streamProvisioning: options.streamProvisioning,
    });
    return renderUser(service, password, permissions);
  });
  const jetstream = [`    store_dir: ${quote(options.storeDir ?? '/data/jetstream')}`];
  if (options.syncInterval !== undefined) {
    jetstream.push(`    sync_interval: ${quote(options.syncInterval)}`);
  }
  return [
    '# Generated from infra/generated/messaging-manifest.json by infra/nats/nats-config.ts.',
    '# Do not edit: change the contracts and regenerate.',
    `server_name: ${quote(options.serverName ?? 'switchboard-nats')}`,
    `port: ${options.port ?? 4222}`,
    `http_port: ${options.monitorPort ?? 8222}`,
    '',
    'jetstream {',
    ...jetstream,
    '}',
    '',
    'accounts {',
    `  ${account} {`,
    '    jetstream: enabled',
    '    users: [',
    ...users,
    '    ]',
    '  }',
    '}',
    '',
  ].join('\n');
}

function renderUser(user: string, password: string, permissions: NatsPermissions): string {
  const list = (subjects: string[]) =>
    subjects.map((subject) => `            ${quote(subject)}`).join(',\n');
  return [
    '      {',
    `        user: ${quote(user)}`,
    `        password: ${quote(password)}`,
    '        permissions: {',
    '          publish: { allow: [',
    list(permissions.publish.allow),
    '          ] }',
    '          subscribe: { allow: [',
    list(permissions.subscribe.allow),
    '          ] }',
    `          allow_responses: ${permissions.allow_responses}`,
    '        }',
    '      }',
  ].join('\n');
}

/** A double-quoted config string; JSON escaping is what the NATS config parser reads. */
function quote(value: string): string {
  return JSON.stringify(value);
}
