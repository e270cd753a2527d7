/**
 * The signing secret every service and `npm run token` fall back to outside production, so a fresh
 * clone works without configuration. It is public (it is in this repository): never use it for
 * anything real. `resolveJwtSecret` refuses it when `NODE_ENV=production`.
 *
 * Keep this string identical to `DEV_JWT_SECRET` in `tools/scripts/token.mjs`: tokens printed by
 * that script are verified with this value.
 */
export const DEV_JWT_SECRET = 'switchboard-dev-only-jwt-secret-not-for-production';

/**
 * Shortest accepted HS256 secret, in characters. RFC 7518 §3.2 requires a key of at least the hash
 * size (256 bits); each character is at least one UTF-8 byte, so 32 characters are ≥ 256 bits.
 */
export const MIN_JWT_SECRET_LENGTH = 32;

/** The environment variables `resolveJwtSecret` reads. */
export interface JwtSecretEnv {
  /** `production` makes `AUTH_JWT_SECRET` mandatory. */
  readonly NODE_ENV?: string;
  /** The HS256 secret shared by every service that verifies tokens; at least 32 characters. */
  readonly AUTH_JWT_SECRET?: string;
}

/** The secret to sign and verify tokens with, and whether it is the public dev default. */
export interface ResolvedJwtSecret {
  readonly secret: string;
  /** True when the secret is `DEV_JWT_SECRET`; the caller should log a warning. */
  readonly isDevDefault: boolean;
}

/**
 * Picks the JWT secret from the environment.
 *
 * - `NODE_ENV=production`: `AUTH_JWT_SECRET` is required and must not be the dev default.
 * - Otherwise: a missing (or empty) `AUTH_JWT_SECRET` yields `DEV_JWT_SECRET` with `isDevDefault: true`.
 * - A secret shorter than {@link MIN_JWT_SECRET_LENGTH} characters is always rejected.
 *
 * @throws Error naming `AUTH_JWT_SECRET` and what is wrong with it.
 */
export function resolveJwtSecret(env: JwtSecretEnv): ResolvedJwtSecret {
  const isProduction = env.NODE_ENV === 'production';
  // An empty value usually comes from `AUTH_JWT_SECRET=` in an env file: treat it as unset.
  const configured = env.AUTH_JWT_SECRET === '' ? undefined : env.AUTH_JWT_SECRET;

  if (configured === undefined) {
    if (isProduction) {
      throw new Error(
        'AUTH_JWT_SECRET is required when NODE_ENV=production: set it to a random string of at ' +
          `least ${MIN_JWT_SECRET_LENGTH} characters (e.g. \`openssl rand -base64 48\`).`,
      );
    }
    return { secret: DEV_JWT_SECRET, isDevDefault: true };
  }

  assertJwtSecretStrength(configured, 'AUTH_JWT_SECRET');
  if (isProduction && configured === DEV_JWT_SECRET) {
    throw new Error(
      'AUTH_JWT_SECRET is the public development default, which must not be used when ' +
        'NODE_ENV=production: set it to a random secret.',
    );
  }
  return { secret: configured, isDevDefault: configured === DEV_JWT_SECRET };
}

/**
 * Rejects secrets too short for HS256. Shared by config resolution, the verifier and the dev
 * signer so that a weak key fails at boot rather than on the first request.
 *
 * @param name How the secret is called in the error message (an env var or an option name).
 */
export function assertJwtSecretStrength(secret: string, name: string): void {
  if (secret.length < MIN_JWT_SECRET_LENGTH) {
    throw new Error(
      `${name} is too short (${secret.length} characters): HS256 needs a key of at least 256 ` +
        `bits, so use at least ${MIN_JWT_SECRET_LENGTH} characters.`,
    );
  }
}
