import { SignJWT } from 'jose';
import { assertJwtSecretStrength } from './jwt-secret.config';
import { JWT_ALGORITHM } from './jwt-verifier.service';

/** Options of {@link signDevToken}. */
export interface DevTokenOptions {
  /** Lifetime as a jose duration (`'30s'`, `'15m'`, `'12h'`, `'7d'`); default `'12h'`. */
  readonly expiresIn?: string;
  /** `iss` claim, for services configured with an issuer. */
  readonly issuer?: string;
  /** `aud` claim, for services configured with an audience. */
  readonly audience?: string;
}

/**
 * Signs an HS256 access token for `userId` (its `sub`), as accepted by `JwtVerifier`. For tests and
 * dev tooling only: production tokens come from an identity provider, not from this function.
 *
 * @throws Error when `userId` is empty, the secret is shorter than 32 characters, or `expiresIn`
 *   is not a duration.
 */
export async function signDevToken(
  userId: string,
  secret: string,
  options: DevTokenOptions = {},
): Promise<string> {
  if (userId.trim() === '') {
    throw new Error('signDevToken: userId must not be empty.');
  }
  assertJwtSecretStrength(secret, 'signDevToken secret');

  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: JWT_ALGORITHM, typ: 'JWT' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '12h');
  if (options.issuer !== undefined) jwt.setIssuer(options.issuer);
  if (options.audience !== undefined) jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
