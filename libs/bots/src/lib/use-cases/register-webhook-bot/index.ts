export * from './register-webhook-bot.use-case';
