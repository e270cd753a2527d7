export * from './post-call-message.use-case';
