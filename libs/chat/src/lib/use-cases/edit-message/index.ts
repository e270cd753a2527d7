export * from './edit-message.use-case';
