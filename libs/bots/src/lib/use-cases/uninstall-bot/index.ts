export * from './uninstall-bot.use-case';
