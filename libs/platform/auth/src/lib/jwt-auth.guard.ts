import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthenticatableRequest } from './authenticated-user.type';
import { JwtVerifier } from './jwt-verifier.service';
import { IS_PUBLIC_KEY } from './public.decorator';

/**
 * Requires a valid `Authorization: Bearer <JWT>` on every HTTP route not marked `@Public()`, and
 * attaches the {@link AuthenticatableRequest.user | user} to the request. Registered globally by
 * `AuthModule.forRoot`.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: JwtVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Global guards also run for NATS handlers of a hybrid app; callers there are other services
    // inside the trust boundary and carry no HTTP headers.
    if (context.getType() !== 'http') {
      return true;
    }
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic === true) {
      return true;
    }
    const request = context.switchToHttp().getRequest<AuthenticatableRequest>();
    request.user = await this.verifier.verifyAuthorizationHeader(request.headers['authorization']);
    return true;
  }
}
