export * from './decline-call.use-case';
