import { Inject, Injectable } from '@nestjs/common';
import { AppError, CommonErrorCodes } from '@switchboard/contracts';
import {
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyOptions,
} from 'jose';
import { AUTH_MODULE_OPTIONS, type AuthModuleOptions } from './auth.options';
import type { AuthenticatedUser } from './authenticated-user.type';
import { assertJwtSecretStrength } from './jwt-secret.config';

/** The only signature algorithm accepted: tokens are signed with the shared HMAC secret. */
export const JWT_ALGORITHM = 'HS256';

/**
 * Seconds of clock skew tolerated on `exp` and `nbf`: services and the token issuer run on
 * different hosts whose clocks drift a little.
 */
export const JWT_CLOCK_TOLERANCE_SECONDS = 5;

// `Bearer` is case-insensitive (RFC 7235 §2.1); the token itself is a single token68 word.
const BEARER_PATTERN = /^Bearer[ ]+(\S+)[ ]*$/i;
const SCHEME_PATTERN = /^(\S+)/;

/**
 * Returns the token of an `Authorization: Bearer <token>` header value.
 *
 * @throws AppError `AUTH.UNAUTHENTICATED` when the header is missing or not a Bearer credential.
 */
export function extractBearerToken(authorization: string | string[] | undefined): string {
  // Node joins nothing for `authorization` (duplicates are dropped), but the header type allows arrays.
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  if (value === undefined || value.trim() === '') {
    throw unauthenticated('Missing Authorization header: send "Authorization: Bearer <token>".');
  }
  const match = BEARER_PATTERN.exec(value.trim());
  if (match === null) {
    const scheme = SCHEME_PATTERN.exec(value.trim())?.[1] ?? '';
    if (scheme.toLowerCase() === 'bearer') {
      throw unauthenticated('Malformed Authorization header: expected "Bearer <token>".');
    }
    throw unauthenticated(
      `Unsupported Authorization scheme "${truncate(scheme)}": expected "Bearer <token>".`,
    );
  }
  return match[1];
}

/**
 * Verifies HS256 access tokens and turns them into an {@link AuthenticatedUser}. Every rejection is
 * an `AppError` with code `AUTH.UNAUTHENTICATED`, kind `unauthenticated`, and a message that says
 * which check failed (never the token itself).
 */
@Injectable()
export class JwtVerifier {
  private readonly key: Uint8Array;
  private readonly verifyOptions: JWTVerifyOptions;

  constructor(@Inject(AUTH_MODULE_OPTIONS) options: AuthModuleOptions) {
    assertJwtSecretStrength(options.jwtSecret, 'AuthModule jwtSecret');
    this.key = new TextEncoder().encode(options.jwtSecret);
    this.verifyOptions = {
      algorithms: [JWT_ALGORITHM],
      clockTolerance: JWT_CLOCK_TOLERANCE_SECONDS,
      // A token without `exp` would be valid forever; a leaked one could never be contained.
      requiredClaims: ['exp'],
      ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
      ...(options.audience === undefined ? {} : { audience: options.audience }),
    };
  }

  /**
   * Verifies the token of an `Authorization` header value (`Bearer <token>`).
   *
   * @throws AppError `AUTH.UNAUTHENTICATED` on a missing header, another scheme, or an invalid token.
   */
  async verifyAuthorizationHeader(
    authorization: string | string[] | undefined,
  ): Promise<AuthenticatedUser> {
    return this.verify(extractBearerToken(authorization));
  }

  /**
   * Verifies a compact JWT: structure, `alg` = HS256, signature, `exp`/`nbf` (±5 s), `iss`/`aud`
   * when configured, and a non-empty string `sub`, which becomes the user id.
   *
   * @throws AppError `AUTH.UNAUTHENTICATED` naming the check that failed.
   */
  async verify(token: string): Promise<AuthenticatedUser> {
    this.assertAllowedAlgorithm(token);

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key, this.verifyOptions));
    } catch (error: unknown) {
      throw toUnauthenticated(error);
    }

    const { sub } = payload;
    if (typeof sub !== 'string' || sub.trim() === '') {
      throw unauthenticated('Token has no subject: the "sub" claim must be a non-empty string.');
    }
    // `exp` is required above, so jose has checked it is a number.
    return { id: sub, expiresAt: (payload.exp as number) * 1000 };
  }

  /**
   * Checks the header before the signature so that `alg: none` and other algorithms get their own
   * message; jose would reject them too, but only after parsing the rest.
   */
  private assertAllowedAlgorithm(token: string): void {
    if (token.split('.').length !== 3) {
      throw malformed();
    }
    let alg: unknown;
    try {
      ({ alg } = decodeProtectedHeader(token));
    } catch {
      throw malformed();
    }
    if (alg !== JWT_ALGORITHM) {
      const shown = typeof alg === 'string' ? `"${truncate(alg)}"` : 'missing';
      throw unauthenticated(
        `Token algorithm ${shown} is not allowed: only ${JWT_ALGORITHM} is accepted.`,
      );
    }
  }
}

function toUnauthenticated(error: unknown): AppError {
  if (error instanceof errors.JWTExpired) {
    return unauthenticated('Token has expired: obtain a new one.', error);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return unauthenticated('Token signature is invalid.', error);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return unauthenticated(
      `Token algorithm is not allowed: only ${JWT_ALGORITHM} is accepted.`,
      error,
    );
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return unauthenticated(claimFailureMessage(error.claim, error.reason), error);
  }
  if (error instanceof errors.JOSEError) {
    // JWSInvalid, JWTInvalid and friends: the token is not a well-formed signed JWT.
    return malformed(error);
  }
  // Anything else (a bug, a crypto failure) is not the caller's fault: let it surface as a 500.
  throw error;
}

function claimFailureMessage(claim: string, reason: string): string {
  switch (claim) {
    case 'exp':
      return 'Token has no expiry: the "exp" claim is required.';
    case 'nbf':
      return 'Token is not valid yet: its "nbf" claim is in the future.';
    case 'iss':
      return 'Token issuer is not accepted: the "iss" claim does not match.';
    case 'aud':
      return 'Token audience is not accepted: the "aud" claim does not match.';
    default:
      return `Token claim "${truncate(claim)}" is invalid (${truncate(reason)}).`;
  }
}

function malformed(cause?: unknown): AppError {
  return unauthenticated(
    'Malformed token: expected a signed JWT (header.payload.signature).',
    cause,
  );
}

function unauthenticated(message: string, cause?: unknown): AppError {
  return new AppError(CommonErrorCodes.UNAUTHENTICATED, 'unauthenticated', message, undefined, {
    cause,
  });
}

// Values echoed into messages come from the caller: keep them short.
function truncate(value: string): string {
  return value.length > 32 ? `${value.slice(0, 32)}…` : value;
}
