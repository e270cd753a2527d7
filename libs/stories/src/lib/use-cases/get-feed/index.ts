export * from './get-feed.use-case';
