import { type MessagingManifest, serviceNames } from './manifest';
import { natsPasswordHash } from './password-hash';
import {
  assertManifest,
  natsPermissionsFor,
  type NatsPermissions,
  provisionerPermissions,
  STREAM_PROVISIONER_USER,
} from './permissions';

export interface NatsConfigOptions {
  manifest: MessagingManifest;
  /** Password of each service's user, by service name. */
  passwords: Record<string, string>;
  /** Password of the stream provisioner's user (`STREAM_PROVISIONER_USER`). */
  provisionerPassword: string;
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
  serverName?: string;
}

/** The account the services share; JetStream is enabled for it. */
export const SERVICES_ACCOUNT = 'SWITCHBOARD';

/**
 * Renders a nats-server config: JetStream on, monitoring port, one account holding one user per
 * service with the least-privilege permissions of `natsPermissionsFor`, and the stream
 * provisioner's user. Throws when a user has no password or the manifest is inconsistent
 * (`assertManifest`).
 */
export function renderNatsConfig(options: NatsConfigOptions): string {
  const account = options.account ?? SERVICES_ACCOUNT;
  const users = natsUsersOf(options.manifest, options.passwords, options.provisionerPassword).map(
    (user) => renderUser(user.user, user.password, user.permissions),
  );
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

export interface NatsUser {
  user: string;
  /** The bcrypt hash of the password (`natsPasswordHash`), never the password itself. */
  password: string;
  permissions: NatsPermissions;
}

/**
 * Every user of the services' account — one per service, then the stream provisioner — with its
 * permissions and its password's bcrypt hash: the one derivation both the Docker config file and
 * the Kubernetes chart values use.
 */
export function natsUsersOf(
  manifest: MessagingManifest,
  passwords: Record<string, string>,
  provisionerPassword: string,
): NatsUser[] {
  assertManifest(manifest);
  if (STREAM_PROVISIONER_USER in manifest.services) {
    throw new Error(`"${STREAM_PROVISIONER_USER}" is the stream provisioner's user, not a service`);
  }
  const users = serviceNames(manifest).map((service) => ({
    user: service,
    password: natsPasswordHash(service, requirePassword(passwords[service], `service ${service}`)),
    permissions: natsPermissionsFor(service, manifest.services[service]),
  }));
  users.push({
    user: STREAM_PROVISIONER_USER,
    password: natsPasswordHash(
      STREAM_PROVISIONER_USER,
      requirePassword(provisionerPassword, 'the stream provisioner'),
    ),
    permissions: provisionerPermissions(manifest.streams.map((stream) => stream.name)),
  });
  return users;
}

function requirePassword(password: string | undefined, whose: string): string {
  if (password === undefined || password === '') throw new Error(`No NATS password for ${whose}`);
  return password;
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
