export * from './message-stats.use-case';
