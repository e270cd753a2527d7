export * from './call-cursor';
export * from './list-calls.use-case';
