export * from './end-call.use-case';
