export * from './cancel-call.use-case';
