export * from './add-close-friend.use-case';
