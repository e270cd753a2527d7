export * from './delete-message.use-case';
