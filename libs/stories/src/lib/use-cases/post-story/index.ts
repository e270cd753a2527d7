export * from './post-story.use-case';
