import { ConfigError, loadConfig } from './service-config';

const load = (env: NodeJS.ProcessEnv) =>
  loadConfig({ serviceName: 'chat', defaultPort: 3101, env });

describe('loadConfig', () => {
  it('gives a development service working defaults', () => {
    const config = load({});
    expect(config).toMatchObject({
      SERVICE_NAME: 'chat',
      NODE_ENV: 'development',
      PORT: 3101,
      NATS_URL: 'nats://127.0.0.1:4222',
      DATABASE_URL: 'sqlite:.switchboard/data/chat.sqlite',
      DB_MIGRATE: false,
      JWT_SECRET_IS_DEV_DEFAULT: true,
    });
  });

  it('reads typed values from the environment', () => {
    const config = load({
      PORT: '4000',
      DB_MIGRATE: 'true',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/chat',
      NATS_URL: 'nats://a:4222,nats://b:4222',
      AUTH_JWT_SECRET: 'x'.repeat(40),
    });
    expect(config.PORT).toBe(4000);
    expect(config.DB_MIGRATE).toBe(true);
    expect(config.JWT_SECRET).toBe('x'.repeat(40));
    expect(config.JWT_SECRET_IS_DEV_DEFAULT).toBe(false);
  });

  it('names every bad key at once', () => {
    let error: unknown;
    try {
      load({ DATABASE_URL: 'nonsense', PORT: 'eighty', DB_MIGRATE: 'yes', NATS_URL: 'http://x' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const keys = (error as ConfigError).problems.map((problem) => problem.key).sort();
    expect(keys).toEqual(['DATABASE_URL', 'DB_MIGRATE', 'NATS_URL', 'PORT']);
    expect((error as ConfigError).message).toMatch(/DATABASE_URL: /);
  });

  it('lets the service create its streams unless told the platform does', () => {
    expect(load({}).EVENTS_STREAMS).toBe('ensure');
    expect(load({ EVENTS_STREAMS: 'verify' }).EVENTS_STREAMS).toBe('verify');
  });

  it('refuses an unknown stream mode, naming the key and the choices', () => {
    let error: unknown;
    try {
      load({ EVENTS_STREAMS: 'create' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      { key: 'EVENTS_STREAMS', message: expect.stringMatching(/"ensure".*"verify"/) },
    ]);
  });

  it('takes NATS credentials as a pair', () => {
    expect(load({ NATS_USER: 'chat', NATS_PASSWORD: 'pw' })).toMatchObject({
      NATS_USER: 'chat',
      NATS_PASSWORD: 'pw',
    });
    expect(() => load({ NATS_USER: 'chat' })).toThrow(
      expect.objectContaining({
        problems: [
          {
            key: 'NATS_PASSWORD',
            message: 'NATS_USER and NATS_PASSWORD go together: set both or neither',
          },
        ],
      }),
    );
  });

  it('requires a database and a real secret in production', () => {
    expect(() => load({ NODE_ENV: 'production' })).toThrow(
      expect.objectContaining({
        problems: expect.arrayContaining([
          expect.objectContaining({ key: 'DATABASE_URL' }),
          expect.objectContaining({ key: 'AUTH_JWT_SECRET' }),
        ]),
      }),
    );
  });

  it('validates the keys a service adds', async () => {
    const { z } = await import('zod');
    expect(() =>
      loadConfig({
        serviceName: 'bots',
        defaultPort: 3104,
        extraSchema: z.object({ BOTS_RATE: z.coerce.number().int().positive() }),
        env: { BOTS_RATE: '-1' },
      }),
    ).toThrow(/BOTS_RATE/);
  });
});
