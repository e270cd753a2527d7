export * from './get-call.use-case';
