import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ConfigKey, configKeysIn, diffConfigKeys } from './config-keys';

const ROOT = join(__dirname, '..', '..', '..');
const BASE = 'libs/platform/runtime/src/lib/config/service-config.ts';

const keysOf = (file: string) => configKeysIn(file, readFileSync(join(ROOT, file), 'utf8'));
const byKey = (keys: ConfigKey[]) => new Map(keys.map((key) => [key.key, key]));

describe('configKeysIn on the schemas services read', () => {
  it('finds every key of baseConfigSchema, with its default as written', () => {
    const keys = keysOf(BASE);
    const shape = keys.map(({ key, default: fallback, optional, required }) => ({
      key,
      fallback,
      optional,
      required,
    }));
    expect(shape).toEqual([
      { key: 'NODE_ENV', fallback: "'development'", optional: false, required: false },
      { key: 'HOST', fallback: "'0.0.0.0'", optional: false, required: false },
      { key: 'PORT', fallback: undefined, optional: false, required: true },
      { key: 'LOG_LEVEL', fallback: "'info'", optional: false, required: false },
      { key: 'NATS_URL', fallback: "'nats://127.0.0.1:4222'", optional: false, required: false },
      { key: 'NATS_USER', fallback: undefined, optional: true, required: false },
      { key: 'NATS_PASSWORD', fallback: undefined, optional: true, required: false },
      { key: 'DATABASE_URL', fallback: undefined, optional: false, required: true },
      { key: 'DB_MIGRATE', fallback: 'false', optional: false, required: false },
      { key: 'AUTH_JWT_SECRET', fallback: undefined, optional: true, required: false },
      { key: 'HTTP_BODY_LIMIT_BYTES', fallback: '64 * 1024', optional: false, required: false },
      { key: 'EVENTS_MAX_DELIVER', fallback: '5', optional: false, required: false },
      { key: 'EVENTS_CONCURRENCY', fallback: '16', optional: false, required: false },
      { key: 'EVENTS_BACKOFF_MS', fallback: '500', optional: false, required: false },
      { key: 'EVENTS_MAX_BACKOFF_MS', fallback: '30_000', optional: false, required: false },
      { key: 'EVENTS_ACK_WAIT_MS', fallback: '30_000', optional: false, required: false },
      { key: 'EVENTS_STREAM_REPLICAS', fallback: '1', optional: false, required: false },
      { key: 'EVENTS_STREAMS', fallback: "'ensure'", optional: false, required: false },
      { key: 'SERVICE_RELEASE', fallback: undefined, optional: true, required: false },
      { key: 'SHUTDOWN_GRACE_MS', fallback: '0', optional: false, required: false },
      { key: 'SHUTDOWN_TIMEOUT_MS', fallback: '15_000', optional: false, required: false },
    ]);
    expect(keys.every((key) => key.file === BASE)).toBe(true);
  });

  it('keeps the doc comment on one line, and leaves it out where there is none', () => {
    const keys = byKey(keysOf(BASE));
    expect(keys.get('DB_MIGRATE')?.description).toBe(
      'Run pending migrations at boot (under an advisory lock on Postgres).',
    );
    expect(keys.get('EVENTS_STREAM_REPLICAS')?.description).toMatch(
      /^Replicas of the event streams: 1 on one nats-server, 3 on a JetStream cluster\. Only matters/,
    );
    expect(keys.get('PORT')).not.toHaveProperty('description');
  });

  it("reads the domains' schemas, through the consts they are built from", () => {
    const stories = byKey(keysOf('libs/stories/src/lib/stories.config.ts'));
    expect(stories.get('STORIES_TTL_SECONDS')).toMatchObject({
      default: '86_400',
      required: false,
    });
    expect(stories.get('STORIES_EXPIRY_JOB_ENABLED')?.default).toBe('true');

    const gateway = byKey(keysOf('libs/gateway/src/lib/gateway.config.ts'));
    expect(gateway.get('GATEWAY_UPSTREAMS')).toMatchObject({ optional: true, required: false });
    expect(gateway.get('GATEWAY_UPSTREAMS_BUCKET')?.default).toBe('Gateway.UPSTREAMS_BUCKET');
    // `GATEWAY_CORS_ORIGINS: origins`, a const whose chain holds `.default('')`.
    expect(gateway.get('GATEWAY_CORS_ORIGINS')).toMatchObject({ default: "''", required: false });
    expect(gateway.get('GATEWAY_WS_MAX_BUFFERED_BYTES')?.default).toBe('1024 * 1024');

    const bots = byKey(keysOf('libs/bots/src/lib/bots.config.ts'));
    expect(bots.get('BOTS_ALLOW_PRIVATE_WEBHOOKS')?.default).toBe('false');
    expect(bots.get('BOTS_DEFAULT_INSTALL')?.default).toBe(
      "'help-bot,echo-bot,remind-bot,poll-bot,stats-bot,stories-bot'",
    );

    const calls = keysOf('libs/calls/src/lib/calls.config.ts').map((key) => key.key);
    expect(calls).toEqual(['CALLS_RING_TIMEOUT_MS', 'CALLS_CHAT_TIMEOUT_MS']);
  });

  it('ignores object schemas whose keys are not environment keys', () => {
    const source = `const View = Base.extend({ createdAt: z.string(), id: z.string() });`;
    expect(configKeysIn('libs/x/src/lib/views.ts', source)).toEqual([]);
  });
});

describe('diffConfigKeys', () => {
  const schema = (body: string) =>
    configKeysIn(
      'libs/x/src/lib/x.config.ts',
      `import { z } from 'zod';\nexport const X = z.object({\n${body}\n});`,
    );
  const base = schema(`
  /** Seconds a story lives. */
  TTL_SECONDS: z.coerce.number().default(86_400),
  TOKEN: z.string().optional(),
  OLD_FLAG: z.string().default('x'),
  SAME: z.string().default("same"),`);

  it('reports a new required key as such: the deploy stops until it is set', () => {
    const changes = diffConfigKeys(base, [...base, ...schema('API_KEY: z.string().min(1),')]);
    expect(changes.added).toEqual([
      { key: 'API_KEY', file: 'libs/x/src/lib/x.config.ts', optional: false, required: true },
    ]);
    expect(changes.removed).toEqual([]);
    expect(changes.changed).toEqual([]);
  });

  it('reports removed keys, changed defaults and optional → required, sorted by key', () => {
    const head = schema(`
  /** Seconds a story lives. */
  TTL_SECONDS: z.coerce.number().default(3_600),
  TOKEN: z.string(),
  SAME: z.string().default('same'),
  ADDED: z.string().default('a'),`);
    const changes = diffConfigKeys(base, head);
    expect(changes.added.map((key) => key.key)).toEqual(['ADDED']);
    expect(changes.added[0].required).toBe(false);
    expect(changes.removed.map((key) => key.key)).toEqual(['OLD_FLAG']);
    expect(changes.changed.map(({ key, what }) => ({ key, what }))).toEqual([
      { key: 'TOKEN', what: ['now required'] },
      { key: 'TTL_SECONDS', what: ['default 86_400 → 3_600'] },
    ]);
    expect(changes.changed[1].from.default).toBe('86_400');
    expect(changes.changed[1].to.description).toBe('Seconds a story lives.');
  });

  it('says when a default goes away and the key becomes required', () => {
    const head = schema(`TTL_SECONDS: z.coerce.number(),`);
    expect(diffConfigKeys(base, head).changed).toEqual([
      expect.objectContaining({
        key: 'TTL_SECONDS',
        what: ['default 86_400 → none', 'now required'],
      }),
    ]);
  });

  it('finds nothing between a commit and itself', () => {
    const keys = configKeysIn(BASE, readFileSync(join(ROOT, BASE), 'utf8'));
    expect(diffConfigKeys(keys, keys)).toEqual({ added: [], removed: [], changed: [] });
  });
});
