/**
 * The platform's stream provisioner: creates the JetStream streams the services expect, or brings
 * existing ones to their definition, then exits. Deployments run it once before the services (a
 * Docker container / Kubernetes Job) with a NATS user that may only call `$JS.API.INFO` and
 * `$JS.API.STREAM.INFO|CREATE|UPDATE.<stream>` for the named streams, so the services themselves
 * need no right to change a stream.
 *
 * The image runs this file as is with Node's type stripping (`node main.ts`, no build step), so it
 * holds erasable syntax only (infra/streams/tsconfig.json enforces it): no enums, namespaces or
 * parameter properties of its own, `import type` for types, relative imports naming the `.ts` file.
 */
import { connect, DiscardPolicy, ErrorCode, NatsError, RetentionPolicy, StorageType } from 'nats';
import type { JetStreamManager, NatsConnection, StreamConfig, StreamInfo } from 'nats';

/** One stream as the messaging manifest lists it; durations in nanoseconds, as JetStream takes them. */
export interface StreamDefinition {
  name: string;
  subjects: string[];
  retention: 'limits' | 'interest' | 'workqueue';
  storage: 'file' | 'memory';
  /** Nanoseconds; 0 keeps messages forever. */
  max_age: number;
  /** Nanoseconds within which a repeated `Nats-Msg-Id` is dropped. */
  duplicate_window: number;
  discard: 'old' | 'new';
  /** Left out: the server's default (1), or whatever the stream already has. */
  num_replicas?: number;
}

export interface StreamOutcome {
  stream: string;
  action: 'created' | 'updated' | 'unchanged';
  /** Config keys of the definition that differed from the stream's (empty unless updated). */
  changed: string[];
}

/** Where run() writes: one line per stream on `log`, the reason for a failure on `error`. */
export interface Output {
  log(line: string): void;
  error(line: string): void;
}

/** JetStream API error codes this program tells apart (nats-server `server/errors.json`). */
const STREAM_NOT_FOUND = 10059;
const JETSTREAM_TEMPORARILY_UNAVAILABLE = 10008;

const DEFAULT_CONNECT_TIMEOUT_MS = 60_000;
const RETRY_PAUSE_MS = 250;

const NAME = /^[A-Za-z0-9_-]+$/;
const KEYS: readonly string[] = [
  'name',
  'subjects',
  'retention',
  'storage',
  'max_age',
  'duplicate_window',
  'discard',
  'num_replicas',
];
const RETENTION: Record<StreamDefinition['retention'], RetentionPolicy> = {
  limits: RetentionPolicy.Limits,
  interest: RetentionPolicy.Interest,
  workqueue: RetentionPolicy.Workqueue,
};
const STORAGE: Record<StreamDefinition['storage'], StorageType> = {
  file: StorageType.File,
  memory: StorageType.Memory,
};
const DISCARD: Record<StreamDefinition['discard'], DiscardPolicy> = {
  old: DiscardPolicy.Old,
  new: DiscardPolicy.New,
};

/**
 * Reads the `STREAMS` list. Rejects anything JetStream would refuse or silently misread, naming the
 * entry and the field: an unknown key (a typo such as `maxAge` would otherwise leave the server's
 * default in place), a duration that is not a whole number of nanoseconds, a duplicate name.
 */
export function parseStreams(json: string): StreamDefinition[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new Error(`not JSON (${messageOf(error)})`);
  }
  if (!Array.isArray(parsed)) throw new Error('not a JSON array of stream definitions');
  if (parsed.length === 0) throw new Error('the list of streams is empty');
  const seen = new Set<string>();
  return parsed.map((entry: unknown, index) => {
    const definition = parseDefinition(entry, index);
    if (seen.has(definition.name)) {
      throw new Error(`entry ${index}: stream name ${definition.name} appears more than once`);
    }
    seen.add(definition.name);
    return definition;
  });
}

function parseDefinition(entry: unknown, index: number): StreamDefinition {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new Error(`entry ${index}: not an object`);
  }
  const fields = entry as Record<string, unknown>;
  const name = fields['name'];
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new Error(`entry ${index}: name must be letters, digits, _ or - (got ${show(name)})`);
  }
  const where = `entry ${index} (${name})`;
  const unknown = Object.keys(fields).filter((key) => !KEYS.includes(key));
  if (unknown.length > 0) throw new Error(`${where}: unknown field ${unknown.join(', ')}`);

  const subjects = fields['subjects'];
  if (
    !Array.isArray(subjects) ||
    subjects.length === 0 ||
    !subjects.every((subject) => typeof subject === 'string' && /^[^\s]+$/.test(subject))
  ) {
    throw new Error(`${where}: subjects must be a non-empty array of subjects without spaces`);
  }
  const definition: StreamDefinition = {
    name,
    subjects: subjects as string[],
    retention: oneOf(fields, 'retention', RETENTION, where),
    storage: oneOf(fields, 'storage', STORAGE, where),
    max_age: nanoseconds(fields, 'max_age', where),
    duplicate_window: nanoseconds(fields, 'duplicate_window', where),
    discard: oneOf(fields, 'discard', DISCARD, where),
  };
  const replicas = fields['num_replicas'];
  if (replicas !== undefined) {
    if (!Number.isInteger(replicas) || (replicas as number) < 1 || (replicas as number) > 5) {
      throw new Error(
        `${where}: num_replicas must be an integer from 1 to 5 (got ${show(replicas)})`,
      );
    }
    definition.num_replicas = replicas as number;
  }
  return definition;
}

function oneOf<K extends 'retention' | 'storage' | 'discard'>(
  fields: Record<string, unknown>,
  key: K,
  allowed: Record<StreamDefinition[K], unknown>,
  where: string,
): StreamDefinition[K] {
  const value = fields[key];
  if (typeof value !== 'string' || !Object.hasOwn(allowed, value)) {
    throw new Error(
      `${where}: ${key} must be one of ${Object.keys(allowed).join(', ')} (got ${show(value)})`,
    );
  }
  return value as StreamDefinition[K];
}

function nanoseconds(fields: Record<string, unknown>, key: string, where: string): number {
  const value = fields[key];
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new Error(
      `${where}: ${key} must be a whole number of nanoseconds ≥ 0 (got ${show(value)})`,
    );
  }
  return value as number;
}

/** The definition as the nats client types it: its enums are the same strings JetStream sends. */
function configOf(definition: StreamDefinition): Partial<StreamConfig> {
  const config: Partial<StreamConfig> = {
    name: definition.name,
    subjects: definition.subjects,
    retention: RETENTION[definition.retention],
    storage: STORAGE[definition.storage],
    max_age: definition.max_age,
    duplicate_window: definition.duplicate_window,
    discard: DISCARD[definition.discard],
  };
  if (definition.num_replicas !== undefined) config.num_replicas = definition.num_replicas;
  return config;
}

/** Keys of `wanted` whose value the stream's config does not have (arrays compared in order). */
function differingKeys(wanted: Partial<StreamConfig>, actual: StreamConfig): string[] {
  const current = actual as unknown as Record<string, unknown>;
  return Object.entries(wanted)
    .filter(([key, value]) => JSON.stringify(current[key]) !== JSON.stringify(value))
    .map(([key]) => key);
}

/**
 * Creates each missing stream and updates each one whose config differs from its definition, in
 * the order given. An update keeps every setting the definition does not name (e.g. limits an
 * operator raised by hand). The first failure stops the run with an Error naming the stream and
 * carrying the server's reason (`cause` is the client's error).
 */
export async function provisionStreams(
  jsm: JetStreamManager,
  definitions: StreamDefinition[],
): Promise<StreamOutcome[]> {
  const outcomes: StreamOutcome[] = [];
  for (const definition of definitions) {
    const stream = definition.name;
    const wanted = configOf(definition);
    try {
      const existing = await infoOrMissing(jsm, stream);
      if (existing === undefined) {
        await jsm.streams.add(wanted);
        outcomes.push({ stream, action: 'created', changed: [] });
        continue;
      }
      const changed = differingKeys(wanted, existing.config);
      if (changed.length === 0) {
        outcomes.push({ stream, action: 'unchanged', changed });
        continue;
      }
      await jsm.streams.update(stream, { ...existing.config, ...wanted });
      outcomes.push({ stream, action: 'updated', changed });
    } catch (error) {
      throw new Error(`stream ${stream}: ${describe(error)}`, { cause: error });
    }
  }
  return outcomes;
}

async function infoOrMissing(
  jsm: JetStreamManager,
  stream: string,
): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(stream);
  } catch (error) {
    if (error instanceof NatsError && error.api_error?.err_code === STREAM_NOT_FOUND) {
      return undefined;
    }
    throw error;
  }
}

/** One line per outcome: `created CHAT`, `updated DLQ (max_age, num_replicas)`, `unchanged BOTS`. */
export function describeOutcome(outcome: StreamOutcome): string {
  const line = `${outcome.action} ${outcome.stream}`;
  return outcome.changed.length > 0 ? `${line} (${outcome.changed.join(', ')})` : line;
}

/**
 * The program: reads its environment, waits for NATS and JetStream, provisions, returns the exit
 * code. Environment:
 * - `NATS_URL` (required): one server URL, or several separated by commas.
 * - `NATS_USER` / `NATS_PASSWORD`: both or neither.
 * - `STREAMS` (required): JSON array of {@link StreamDefinition}.
 * - `STREAMS_CONNECT_TIMEOUT_MS`: how long to wait for NATS and JetStream (default 60000). The
 *   provisioner usually starts together with the NATS server it provisions, so "not reachable" and
 *   "JetStream not ready yet" are waited out; a refusal (credentials, permissions, a config the
 *   server rejects) would not change by waiting and ends the run at once.
 */
export async function run(env: NodeJS.ProcessEnv, out: Output = console): Promise<number> {
  let settings: Settings;
  try {
    settings = settingsOf(env);
  } catch (error) {
    out.error(`stream provisioner: ${messageOf(error)}`);
    return 1;
  }

  const deadline = Date.now() + settings.timeoutMs;
  let lastRetriable: unknown;
  for (;;) {
    let nc: NatsConnection | undefined;
    try {
      nc = await connect({
        servers: settings.servers,
        ...(settings.user === undefined
          ? {}
          : {
              user: settings.user,
              pass: settings.password,
              // The provisioner's user may only subscribe under its own inbox prefix.
              inboxPrefix: `_INBOX.${settings.user}`,
            }),
        name: 'stream-provisioner',
        // A lost connection ends this attempt; the loop below decides whether to try again.
        reconnect: false,
        timeout: Math.max(500, Math.min(5_000, deadline - Date.now())),
        noAsyncTraces: true,
      });
      // `$JS.API.INFO`: answered only once JetStream is up for this account.
      const jsm = await nc.jetstreamManager();
      const outcomes = await provisionStreams(jsm, settings.streams);
      for (const outcome of outcomes) out.log(describeOutcome(outcome));
      await nc.drain();
      return 0;
    } catch (error) {
      if (nc !== undefined && !nc.isClosed()) await nc.close();
      if (!isRetriable(error)) {
        out.error(`stream provisioner: ${describe(error)}`);
        return 1;
      }
      lastRetriable = error;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(RETRY_PAUSE_MS, left)));
  }
  const reached = !isUnreachable(lastRetriable);
  out.error(
    `stream provisioner: ${
      reached
        ? `NATS at ${settings.url} answered but JetStream was not ready`
        : `could not reach NATS at ${settings.url}`
    } within ${settings.timeoutMs} ms (STREAMS_CONNECT_TIMEOUT_MS); last error: ${describe(lastRetriable)}`,
  );
  return 1;
}

interface Settings {
  url: string;
  servers: string[];
  user: string | undefined;
  password: string | undefined;
  streams: StreamDefinition[];
  timeoutMs: number;
}

/** The environment checked in full before any connection; each error names its variable. */
function settingsOf(env: NodeJS.ProcessEnv): Settings {
  const url = env['NATS_URL']?.trim() ?? '';
  if (url === '') throw new Error('NATS_URL is required (e.g. nats://nats:4222)');
  const user = nonEmpty(env['NATS_USER']);
  const password = nonEmpty(env['NATS_PASSWORD']);
  if ((user === undefined) !== (password === undefined)) {
    throw new Error('NATS_USER and NATS_PASSWORD must be set together, or neither');
  }
  const streamsJson = env['STREAMS'];
  if (streamsJson === undefined || streamsJson.trim() === '') {
    throw new Error('STREAMS is required: a JSON array of stream definitions');
  }
  let streams: StreamDefinition[];
  try {
    streams = parseStreams(streamsJson);
  } catch (error) {
    throw new Error(`STREAMS: ${messageOf(error)}`);
  }
  const rawTimeout = nonEmpty(env['STREAMS_CONNECT_TIMEOUT_MS']);
  const timeoutMs = rawTimeout === undefined ? DEFAULT_CONNECT_TIMEOUT_MS : Number(rawTimeout);
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
    throw new Error(
      `STREAMS_CONNECT_TIMEOUT_MS must be a positive whole number of milliseconds (got ${show(rawTimeout)})`,
    );
  }
  const servers = url
    .split(',')
    .map((server) => server.trim())
    .filter((server) => server !== '');
  return { url, servers, user, password, streams, timeoutMs };
}

/** Codes of a NATS server that is not there (yet), or going away. */
const UNREACHABLE: readonly string[] = [
  ErrorCode.ConnectionRefused,
  ErrorCode.ConnectionTimeout,
  ErrorCode.ConnectionClosed,
  ErrorCode.Disconnect,
];

function isUnreachable(error: unknown): boolean {
  const cause = natsErrorOf(error);
  // A refused TCP connection surfaces as Node's ECONNREFUSED when the client gives up on a server.
  return cause === undefined
    ? (error as { code?: unknown } | undefined)?.code === 'ECONNREFUSED'
    : UNREACHABLE.includes(cause.code);
}

/**
 * Worth another attempt: the server is not reachable yet, or JetStream is not ready (no responders
 * on `$JS.API.>` while it starts, "JetStream temporarily unavailable" while it recovers, a request
 * that timed out). Authentication, permission and configuration refusals are not.
 */
function isRetriable(error: unknown): boolean {
  if (isUnreachable(error)) return true;
  const cause = natsErrorOf(error);
  if (cause === undefined) return false;
  if (cause.api_error?.err_code === JETSTREAM_TEMPORARILY_UNAVAILABLE) return true;
  return cause.code === ErrorCode.NoResponders || cause.code === ErrorCode.Timeout;
}

function natsErrorOf(error: unknown): NatsError | undefined {
  if (error instanceof NatsError) return error;
  if (error instanceof Error && error.cause instanceof NatsError) return error.cause;
  return undefined;
}

/** The server's own words when it gave a reason (JetStream's `description`), else the client's. */
function describe(error: unknown): string {
  if (error instanceof NatsError) {
    const api = error.api_error;
    if (api !== undefined)
      return `${api.description} (JetStream error ${api.err_code ?? api.code})`;
    if (error.code === ErrorCode.NoResponders) return 'no responders (JetStream not available)';
    if (error.code === ErrorCode.AuthorizationViolation) {
      return 'authorization violation: NATS refused the user or password';
    }
    return error.message === error.code ? error.code : `${error.message} (${error.code})`;
  }
  return messageOf(error);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
