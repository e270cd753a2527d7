/** The domain's name: the second token of its subjects, its queue group, consumers and database. */
export const DOMAIN = 'stories';
export { StoryExpired, StoryPosted, StoryReplied } from './events';
export { ActiveCount } from './rpcs';
export {
  STORY_TEXT_MAX_BYTES,
  StoryMedia,
  StoryMime,
  StoryText,
  StoryView,
  StoryVisibility,
} from './story';
