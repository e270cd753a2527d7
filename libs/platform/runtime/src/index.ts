export { bootstrapService } from './lib/bootstrap/bootstrap-service';
export { createServiceApp, type ServiceApp } from './lib/bootstrap/create-service-app';
export { type DomainDefinition, type ServiceDefinition } from './lib/bootstrap/service-definition';
export {
  baseConfigSchema,
  ConfigError,
  loadConfig,
  SERVICE_CONFIG,
  type BaseConfig,
  type ServiceConfig,
} from './lib/config/service-config';
export { HttpErrorFilter } from './lib/http/http-error.filter';
export { ZodValidationPipe } from './lib/http/zod-validation.pipe';
export { ServiceLifecycle } from './lib/health/service-lifecycle';
