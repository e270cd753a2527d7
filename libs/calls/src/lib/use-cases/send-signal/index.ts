export * from './send-signal.use-case';
