import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { AppError, CommonErrorCodes } from '@switchboard/contracts';
import type { AuthenticatableRequest, AuthenticatedUser } from './authenticated-user.type';

/**
 * Reads the {@link AuthenticatedUser} that the auth guard attached to the request.
 *
 * @throws AppError `INTERNAL` when there is none: the handler is `@Public()` (or not HTTP), which
 *   is a programming error rather than something the caller can fix.
 */
export function currentUserFromContext(context: ExecutionContext): AuthenticatedUser {
  const request = context.switchToHttp().getRequest<AuthenticatableRequest>();
  if (request.user === undefined) {
    throw new AppError(
      CommonErrorCodes.INTERNAL,
      'internal',
      '@CurrentUser() used on a route without an authenticated user; is the route @Public()?',
    );
  }
  return request.user;
}

/**
 * Injects the {@link AuthenticatedUser} of the request into a controller method parameter:
 * `me(@CurrentUser() user: AuthenticatedUser)`.
 */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedUser => currentUserFromContext(context),
);
