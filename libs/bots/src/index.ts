export { BotsDomain, BotsModule } from './lib/bots.module';
export { BotsConfig } from './lib/bots.config';
export { BotsErrorCodes } from './lib/bots.errors';
export { BUILT_IN_BOT_NAMES, ECHO_BOT } from './lib/builtins/built-in-bots';
