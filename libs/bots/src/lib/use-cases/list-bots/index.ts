export * from './list-bots.use-case';
