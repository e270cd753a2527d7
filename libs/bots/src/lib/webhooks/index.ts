import { type Provider, type Type } from '@nestjs/common';
import { type MigrationClass, type PersistenceEntity } from '@switchboard/platform-persistence';
import { CallWebhookUseCase } from './call-webhook.use-case';
import { WebhookCallHandler } from './webhook-call.handler';
import { WebhookHttpClient } from './webhook-http.client';

export {
  assertWebhookUrlAllowed,
  checkWebhookUrl,
  WEBHOOK_URL_REFUSED,
  type WebhookUrlRefusalReason,
} from './webhook-url.policy';
export {
  verifyWebhookSignature,
  WebhookHeaders,
  type VerifyWebhookSignatureOptions,
} from './webhook-signature';

/** What the webhook part adds to the bots domain (composed in bots.module.ts). */
export const WEBHOOK_CONTROLLERS: Type[] = [WebhookCallHandler];
export const WEBHOOK_PROVIDERS: Provider[] = [CallWebhookUseCase, WebhookHttpClient];
export const WEBHOOK_ENTITIES: PersistenceEntity[] = [];
export const WEBHOOK_MIGRATIONS: MigrationClass[] = [];
