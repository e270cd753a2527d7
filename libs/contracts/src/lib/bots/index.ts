export { BOT_NAME, BotCommandName, WebhookCallRequested } from './webhook-call.event';
