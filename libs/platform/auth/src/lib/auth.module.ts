import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AUTH_MODULE_OPTIONS, type AuthModuleOptions } from './auth.options';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtVerifier } from './jwt-verifier.service';

/**
 * Bearer-token authentication for HTTP. Import once in a service's root module:
 *
 * ```ts
 * AuthModule.forRoot({ jwtSecret: resolveJwtSecret(process.env).secret })
 * ```
 *
 * Every HTTP route then requires a valid HS256 token unless marked `@Public()`; handlers read the
 * caller with `@CurrentUser()`. Other contexts (NATS RPC, events) are not checked. `JwtVerifier`
 * is exported for code that authenticates outside a controller.
 */
@Module({})
export class AuthModule {
  /**
   * @throws Error when `jwtSecret` is shorter than 32 characters (checked when the verifier is built).
   */
  static forRoot(options: AuthModuleOptions): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      providers: [
        { provide: AUTH_MODULE_OPTIONS, useValue: options },
        JwtVerifier,
        { provide: APP_GUARD, useClass: JwtAuthGuard },
      ],
      exports: [JwtVerifier],
    };
  }
}
