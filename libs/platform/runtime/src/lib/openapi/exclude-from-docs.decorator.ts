import { SetMetadata } from '@nestjs/common';

/** Metadata key set by {@link ExcludeFromDocs}. */
export const EXCLUDE_FROM_DOCS = 'switchboard:openapi:exclude';

/**
 * Leaves a route, or every route of a controller, out of the OpenAPI document (the document's own
 * routes, for instance). The route still works; it is just not advertised.
 */
export const ExcludeFromDocs = (): MethodDecorator & ClassDecorator =>
  SetMetadata(EXCLUDE_FROM_DOCS, true);
