export { bootstrapService, MESSAGING_MANIFEST_FLAG } from './lib/bootstrap/bootstrap-service';
export {
  messagingManifestOf,
  type ConsumedEvent,
  type ExpectedStream,
  type MessagingManifest,
} from './lib/bootstrap/messaging-manifest';
export { createServiceApp, type ServiceApp } from './lib/bootstrap/create-service-app';
export { selectHostedDomains } from './lib/bootstrap/host-domains';
export { type DomainDefinition, type ServiceDefinition } from './lib/bootstrap/service-definition';
export {
  baseConfigSchema,
  ConfigError,
  loadConfig,
  SERVICE_CONFIG,
  type BaseConfig,
  type ServiceConfig,
} from './lib/config/service-config';
export {
  startTelemetry,
  tracingRequested,
  type Telemetry,
  type TelemetryOptions,
} from './lib/telemetry/telemetry';
export { isInternalPath, pathOf } from './lib/http/internal-paths';
export { HttpErrorFilter } from './lib/http/http-error.filter';
export { ZodValidationPipe } from './lib/http/zod-validation.pipe';
export { ReadinessChecks, type ReadinessCheck } from './lib/health/readiness-checks';
export { ServiceLifecycle } from './lib/health/service-lifecycle';
export { Returns, RETURNS_METADATA, type ReturnsEntry } from './lib/openapi/returns.decorator';
export {
  errorResponsesFor,
  type DocumentedErrorStatus,
  type ErrorResponsesDecorator,
} from './lib/openapi/error-responses.decorator';
export { AsyncApiDocs } from './lib/asyncapi/asyncapi.module';
export { ExcludeFromDocs } from './lib/openapi/exclude-from-docs.decorator';
export { OpenApiDocs, type OpenApiOptions } from './lib/openapi/openapi-docs.service';
export { OpenApiModule } from './lib/openapi/openapi.module';
export { type OpenApiDocument } from './lib/openapi/openapi.types';
export {
  DueWorkJob,
  DueWorkScheduler,
  type DueWorkOptions,
} from './lib/scheduling/due-work.scheduler';
