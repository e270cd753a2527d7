/**
 * HTTP authentication for Switchboard services: `Authorization: Bearer <JWT>` (HS256, shared
 * secret) verified on every route unless `@Public()`; the user id is the token's `sub`.
 */
export { AuthModule } from './lib/auth.module';
export type { AuthModuleOptions } from './lib/auth.options';
export type { AuthenticatableRequest, AuthenticatedUser } from './lib/authenticated-user.type';
export { CurrentUser } from './lib/current-user.decorator';
export { signDevToken, type DevTokenOptions } from './lib/dev-token.signer';
export { JwtAuthGuard } from './lib/jwt-auth.guard';
export {
  DEV_JWT_SECRET,
  MIN_JWT_SECRET_LENGTH,
  resolveJwtSecret,
  type JwtSecretEnv,
  type ResolvedJwtSecret,
} from './lib/jwt-secret.config';
export {
  JWT_ALGORITHM,
  JWT_CLOCK_TOLERANCE_SECONDS,
  JwtVerifier,
  extractBearerToken,
} from './lib/jwt-verifier.service';
export { IS_PUBLIC_KEY, Public } from './lib/public.decorator';
