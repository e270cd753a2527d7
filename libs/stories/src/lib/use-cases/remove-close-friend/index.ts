export * from './remove-close-friend.use-case';
