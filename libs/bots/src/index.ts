export { BotsDomain, BotsModule } from './lib/bots.module';
export { ECHO_BOT } from './lib/use-cases/answer-command.use-case';
