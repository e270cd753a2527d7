#!/usr/bin/env node
// Prints a development access token for a user id: `npm run -s token -- alice`.
// Only the token goes to stdout, so `TOKEN=$(npm run -s token -- alice)` works; hints go to stderr.
// Plain Node ESM on purpose: it must run without a TypeScript toolchain or a build step.
import { SignJWT } from 'jose';

// Keep identical to DEV_JWT_SECRET in libs/platform/auth/src/lib/jwt-secret.config.ts: services
// started without AUTH_JWT_SECRET verify tokens with that value. (This script cannot import the
// TypeScript library, hence the copy; a platform-auth test verifies the printed token with it.)
const DEV_JWT_SECRET = 'switchboard-dev-only-jwt-secret-not-for-production';
// HS256 needs a key of at least 256 bits (RFC 7518 §3.2); same rule as resolveJwtSecret.
const MIN_JWT_SECRET_LENGTH = 32;
const EXPIRES_IN = '12h';
const USER_ID_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;
const USAGE =
  'Usage: npm run -s token -- <userId>\n  userId: 1-64 characters of A-Z a-z 0-9 . _ @ -';

/** @returns the process exit code: 0 done, 1 bad configuration, 2 bad usage. */
async function main(args, env) {
  if (args.includes('-h') || args.includes('--help')) {
    process.stderr.write(`${USAGE}\n`);
    return 0;
  }
  if (args.length !== 1) {
    const problem = args.length === 0 ? 'Missing user id.' : 'Expected exactly one user id.';
    process.stderr.write(`${problem}\n${USAGE}\n`);
    return 2;
  }
  const [userId] = args;
  if (!USER_ID_PATTERN.test(userId)) {
    process.stderr.write(`Invalid user id ${JSON.stringify(userId)}.\n${USAGE}\n`);
    return 2;
  }

  // An empty AUTH_JWT_SECRET (`AUTH_JWT_SECRET=` in an env file) counts as unset, as in services.
  const configuredSecret = env.AUTH_JWT_SECRET || undefined;
  const secret = configuredSecret ?? DEV_JWT_SECRET;
  if (secret.length < MIN_JWT_SECRET_LENGTH) {
    process.stderr.write(
      `AUTH_JWT_SECRET is too short (${secret.length} characters): HS256 needs at least ` +
        `${MIN_JWT_SECRET_LENGTH}.\n`,
    );
    return 1;
  }

  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(EXPIRES_IN)
    .sign(new TextEncoder().encode(secret));

  process.stdout.write(`${token}\n`);
  process.stderr.write(
    `Token for "${userId}", valid ${EXPIRES_IN}, signed with ` +
      `${configuredSecret === undefined ? 'the dev default secret' : 'AUTH_JWT_SECRET'}.\n` +
      'Send it as: Authorization: Bearer <token>\n',
  );
  return 0;
}

// exitCode rather than process.exit(): lets pending stdout/stderr writes flush before exiting.
process.exitCode = await main(process.argv.slice(2), process.env);
