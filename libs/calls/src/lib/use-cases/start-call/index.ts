export * from './start-call.use-case';
