export * from './get-story.use-case';
