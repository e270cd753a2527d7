import { createHmac } from 'node:crypto';
import {
  signWebhookBody,
  verifyWebhookSignature,
  webhookRequestHeaders,
  WEBHOOK_USER_AGENT,
} from './webhook-signature';

describe('webhook signatures', () => {
  const secret = 'whsec_0123456789abcdef';
  const rawBody = JSON.stringify({ callId: 'c1', text: 'héllo' });
  const now = new Date('2026-11-26T12:00:00.000Z');
  const timestamp = String(now.getTime() / 1000);

  it('signs "<timestamp>.<raw body>" with HMAC-SHA256 as v1=<hex>', () => {
    const expected = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
    expect(signWebhookBody(secret, timestamp, rawBody)).toBe(`v1=${expected}`);
  });

  it('sends the signature, timestamp, call id, content type and user agent', () => {
    const headers = webhookRequestHeaders({ secret, callId: 'call-1', rawBody, now });
    expect(headers).toEqual({
      'Content-Type': 'application/json',
      'User-Agent': WEBHOOK_USER_AGENT,
      'Switchboard-Timestamp': timestamp,
      'Switchboard-Signature': signWebhookBody(secret, timestamp, rawBody),
      'Switchboard-Call-Id': 'call-1',
    });
    expect(
      verifyWebhookSignature(secret, timestamp, rawBody, headers['Switchboard-Signature'], { now }),
    ).toBe(true);
  });

  it('verifies the raw bytes as received', () => {
    const header = signWebhookBody(secret, timestamp, rawBody);
    expect(verifyWebhookSignature(secret, timestamp, Buffer.from(rawBody), header, { now })).toBe(
      true,
    );
  });

  it('rejects another secret, another body or another timestamp', () => {
    const header = signWebhookBody(secret, timestamp, rawBody);
    expect(verifyWebhookSignature('other-secret', timestamp, rawBody, header, { now })).toBe(false);
    expect(verifyWebhookSignature(secret, timestamp, `${rawBody} `, header, { now })).toBe(false);
    const later = String(Number(timestamp) + 1);
    expect(verifyWebhookSignature(secret, later, rawBody, header, { now })).toBe(false);
  });

  it('rejects a malformed header or timestamp', () => {
    const header = signWebhookBody(secret, timestamp, rawBody);
    expect(verifyWebhookSignature(secret, timestamp, rawBody, header.slice(0, -1), { now })).toBe(
      false,
    );
    expect(
      verifyWebhookSignature(secret, timestamp, rawBody, header.replace('v1', 'v0'), { now }),
    ).toBe(false);
    expect(verifyWebhookSignature(secret, timestamp, rawBody, '', { now })).toBe(false);
    expect(verifyWebhookSignature(secret, `${timestamp}.5`, rawBody, header, { now })).toBe(false);
    expect(verifyWebhookSignature(secret, '', rawBody, header, { now })).toBe(false);
  });

  it('rejects timestamps outside the tolerance, either way', () => {
    const old = String(Number(timestamp) - 301);
    const future = String(Number(timestamp) + 301);
    const edge = String(Number(timestamp) - 300);
    const sign = (ts: string) => signWebhookBody(secret, ts, rawBody);
    expect(verifyWebhookSignature(secret, old, rawBody, sign(old), { now })).toBe(false);
    expect(verifyWebhookSignature(secret, future, rawBody, sign(future), { now })).toBe(false);
    expect(verifyWebhookSignature(secret, edge, rawBody, sign(edge), { now })).toBe(true);
    expect(
      verifyWebhookSignature(secret, old, rawBody, sign(old), { now, toleranceSeconds: 600 }),
    ).toBe(true);
  });

  it('accepts any one valid signature of a list (secret rotation)', () => {
    const header = `v1=${'0'.repeat(64)}, ${signWebhookBody(secret, timestamp, rawBody)}`;
    expect(verifyWebhookSignature(secret, timestamp, rawBody, header, { now })).toBe(true);
  });
});
