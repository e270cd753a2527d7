import { SetMetadata } from '@nestjs/common';

/** Metadata key set by {@link Public}. */
export const IS_PUBLIC_KEY = 'switchboard:auth:public';

/**
 * Marks a route handler or a whole controller as reachable without a bearer token, e.g. the
 * `/health/*` probes that orchestrators call anonymously.
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);
