export { StoriesDomain, StoriesModule } from './lib/stories.module';
export { StoriesErrorCodes } from './lib/stories.errors';
export { StoriesConfig } from './lib/stories.config';
