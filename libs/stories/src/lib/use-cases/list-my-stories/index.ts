export * from './list-my-stories.use-case';
