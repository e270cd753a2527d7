/** The domain's name: the second token of its subjects, its queue group, consumers and database. */
export const DOMAIN = 'bots';
export { BOT_NAME, BotCommandName, WebhookCallRequested } from './webhook-call.event';
