export * from './post-message.use-case';
