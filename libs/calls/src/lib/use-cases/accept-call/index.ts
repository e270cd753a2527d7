export * from './accept-call.use-case';
