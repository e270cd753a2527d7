export * from './list-close-friends.use-case';
