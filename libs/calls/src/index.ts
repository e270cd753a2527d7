export { CallsDomain, CallsModule } from './lib/calls.module';
export { CallsConfig } from './lib/calls.config';
export { CallsErrorCodes } from './lib/calls.errors';
