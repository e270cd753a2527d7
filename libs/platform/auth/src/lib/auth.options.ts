/** Options of `AuthModule.forRoot`. */
export interface AuthModuleOptions {
  /** HS256 secret the tokens are signed with; at least 32 characters (see `resolveJwtSecret`). */
  readonly jwtSecret: string;
  /** When set, tokens must carry exactly this `iss` claim. */
  readonly issuer?: string;
  /** When set, tokens must list this value in their `aud` claim. */
  readonly audience?: string;
}

/** Injection token of the {@link AuthModuleOptions} given to `AuthModule.forRoot`. */
export const AUTH_MODULE_OPTIONS = Symbol('AUTH_MODULE_OPTIONS');
