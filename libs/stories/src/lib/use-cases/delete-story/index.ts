export * from './delete-story.use-case';
