import { DEV_JWT_SECRET, MIN_JWT_SECRET_LENGTH, resolveJwtSecret } from './jwt-secret.config';

const STRONG = 'a-strong-secret-a-strong-secret-0123456789';

describe('resolveJwtSecret', () => {
  it('falls back to the dev default outside production, flagged for a warning', () => {
    expect(resolveJwtSecret({})).toEqual({ secret: DEV_JWT_SECRET, isDevDefault: true });
    expect(resolveJwtSecret({ NODE_ENV: 'development', AUTH_JWT_SECRET: '' })).toEqual({
      secret: DEV_JWT_SECRET,
      isDevDefault: true,
    });
  });

  it('uses the configured secret', () => {
    expect(resolveJwtSecret({ AUTH_JWT_SECRET: STRONG })).toEqual({
      secret: STRONG,
      isDevDefault: false,
    });
    expect(resolveJwtSecret({ NODE_ENV: 'production', AUTH_JWT_SECRET: STRONG })).toEqual({
      secret: STRONG,
      isDevDefault: false,
    });
  });

  it('requires AUTH_JWT_SECRET in production', () => {
    expect(() => resolveJwtSecret({ NODE_ENV: 'production' })).toThrow(
      /AUTH_JWT_SECRET is required when NODE_ENV=production/,
    );
    expect(() => resolveJwtSecret({ NODE_ENV: 'production', AUTH_JWT_SECRET: '' })).toThrow(
      /AUTH_JWT_SECRET is required/,
    );
  });

  it('refuses the public dev default in production', () => {
    expect(() =>
      resolveJwtSecret({ NODE_ENV: 'production', AUTH_JWT_SECRET: DEV_JWT_SECRET }),
    ).toThrow(/AUTH_JWT_SECRET is the public development default/);
  });

  it('rejects a secret shorter than 32 characters, in any environment', () => {
    const short = 'x'.repeat(MIN_JWT_SECRET_LENGTH - 1);
    for (const NODE_ENV of ['production', 'development', undefined]) {
      expect(() => resolveJwtSecret({ NODE_ENV, AUTH_JWT_SECRET: short })).toThrow(
        /AUTH_JWT_SECRET is too short \(31 characters\).*at least 32 characters/,
      );
    }
    expect(
      resolveJwtSecret({ AUTH_JWT_SECRET: 'x'.repeat(MIN_JWT_SECRET_LENGTH) }).isDevDefault,
    ).toBe(false);
  });

  it('ships a dev default that passes its own length rule', () => {
    expect(DEV_JWT_SECRET.length).toBeGreaterThanOrEqual(MIN_JWT_SECRET_LENGTH);
  });
});
