export * from './reply-to-story.use-case';
