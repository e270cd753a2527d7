/**
 * Who made an authenticated HTTP request. Taken from a verified access token; `id` is its `sub`.
 */
export interface AuthenticatedUser {
  /** The user's id: the token's `sub` claim, never empty. */
  readonly id: string;
  /** When the token expires (its `exp`), in epoch milliseconds: a socket opened with it closes then. */
  readonly expiresAt?: number;
}

/**
 * The slice of an HTTP request the guard reads and writes. Structural on purpose: it fits a
 * FastifyRequest without this library importing fastify, which is only a transitive dependency.
 */
export interface AuthenticatableRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Set by the auth guard once the bearer token has been verified. */
  user?: AuthenticatedUser;
}
