export * from './call-webhook.use-case';
