export * from './list-messages.use-case';
