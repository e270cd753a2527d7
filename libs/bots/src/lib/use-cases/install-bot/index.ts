export * from './install-bot.use-case';
