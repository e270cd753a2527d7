import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers of every webhook call. */
export const WebhookHeaders = {
  /** `v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed with the bot's signing secret>`. */
  SIGNATURE: 'Switchboard-Signature',
  /** Unix seconds when the request was signed; part of the signed text, so it cannot be altered. */
  TIMESTAMP: 'Switchboard-Timestamp',
  /** The call's id, the same on every retry: receivers de-duplicate by it. */
  CALL_ID: 'Switchboard-Call-Id',
} as const;

export const WEBHOOK_USER_AGENT = 'Switchboard-Bots/1';

/** How far a signed timestamp may be from the receiver's clock by default (replay window). */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

const SCHEME = 'v1';

/** `v1=<hex>`: HMAC-SHA256 over `${timestamp}.${rawBody}` with `secret`. */
export function signWebhookBody(
  secret: string,
  timestamp: number | string,
  rawBody: string | Uint8Array,
): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${timestamp}.`);
  hmac.update(rawBody);
  return `${SCHEME}=${hmac.digest('hex')}`;
}

/** Every header of a webhook call whose body is `rawBody` (JSON), signed now. */
export function webhookRequestHeaders(options: {
  secret: string;
  callId: string;
  rawBody: string;
  now?: Date;
}): Record<string, string> {
  const timestamp = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return {
    'Content-Type': 'application/json',
    'User-Agent': WEBHOOK_USER_AGENT,
    [WebhookHeaders.TIMESTAMP]: String(timestamp),
    [WebhookHeaders.SIGNATURE]: signWebhookBody(options.secret, timestamp, options.rawBody),
    [WebhookHeaders.CALL_ID]: options.callId,
  };
}

export interface VerifyWebhookSignatureOptions {
  /** Largest accepted distance between the timestamp and `now`. Default 300 s. */
  toleranceSeconds?: number;
  /** The receiver's clock. Default: the current time. */
  now?: Date | number;
}

/**
 * What a webhook receiver implements: true when `header` (the `Switchboard-Signature` value) is a
 * valid `v1` signature of `rawBody` — the exact bytes received, before any JSON parsing — under
 * `timestamp` (the `Switchboard-Timestamp` value), and that timestamp is within `toleranceSeconds`
 * of `now`, so a captured request cannot be replayed later. The header may list several signatures
 * separated by commas (`v1=…,v1=…`); one valid `v1` is enough. Compares in constant time.
 *
 * Reject the request (e.g. 401) when this returns false, and de-duplicate retries by
 * `Switchboard-Call-Id`.
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string,
  rawBody: string | Uint8Array,
  header: string,
  options: VerifyWebhookSignatureOptions = {},
): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  const tolerance = options.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS;
  const nowMs = options.now === undefined ? Date.now() : new Date(options.now).getTime();
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > tolerance) return false;

  const expected = Buffer.from(signWebhookBody(secret, timestamp, rawBody));
  return header
    .split(',')
    .map((part) => Buffer.from(part.trim()))
    .some((given) => given.length === expected.length && timingSafeEqual(given, expected));
}
