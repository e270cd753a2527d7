import { compareSync, encodeBase64, hashSync } from 'bcryptjs';
import { createHmac } from 'node:crypto';

/** bcrypt cost of the NATS users' hashes: the server pays it once per connection, not per message. */
export const NATS_BCRYPT_COST = 11;

/**
 * The bcrypt hash nats-server stores instead of a user's password (a `password` starting with `$2`
 * is read as bcrypt), so neither the config file in the NATS container nor the Helm values hold a
 * password in clear.
 *
 * The salt is derived from the user and the password instead of drawn at random: the config is
 * rendered on every `pulumi up`, and a fresh salt would change it each time — replacing the NATS
 * container or rolling the cluster for nothing. The hash changes exactly when the password does.
 * Deriving the salt from the secret is sound here because the passwords are random (the docs set
 * them with `openssl rand -hex 24`): nothing can be precomputed for them.
 */
export function natsPasswordHash(user: string, password: string, cost = NATS_BCRYPT_COST): string {
  const saltBytes = createHmac('sha256', password).update(`nats-user:${user}`).digest();
  const salt = `$2a$${String(cost).padStart(2, '0')}$${encodeBase64(saltBytes, 16)}`;
  return hashSync(password, salt);
}

/** Whether `password` is the one `hash` was made from (tests, and anyone checking a config). */
export function matchesNatsPasswordHash(password: string, hash: string): boolean {
  return compareSync(password, hash);
}
