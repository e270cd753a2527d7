import { AppError } from '@switchboard/contracts';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { lookup } from 'node:dns/promises';

/** Longest webhook URL (the `webhook_bots.webhook_url` column). */
export const WEBHOOK_URL_MAX_LENGTH = 2048;

/** Why a webhook URL is refused; `details.reason` of `BOTS.WEBHOOK_URL_REFUSED`. */
export type WebhookUrlRefusalReason =
  'invalid-url' | 'scheme' | 'credentials' | 'unresolvable' | 'private-address';

export const WEBHOOK_URL_REFUSED = 'BOTS.WEBHOOK_URL_REFUSED';

/**
 * Ranges a webhook may not reach unless private webhooks are allowed: whatever is not the public
 * internet, where a URL someone registered would let bots call into our own network.
 */
const FORBIDDEN = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", incl. the unspecified 0.0.0.0
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, incl. cloud metadata at 169.254.169.254
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. broadcast
] as const) {
  FORBIDDEN.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible form
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // deprecated site-local
  ['ff00::', 8], // multicast
] as const) {
  FORBIDDEN.addSubnet(network, prefix, 'ipv6');
}

/**
 * True when `address` (an IP literal) is loopback, private, link-local, CGNAT, unspecified,
 * multicast or reserved, in IPv4 or IPv6, including IPv4 addresses embedded in IPv6 (`::ffff:a.b.c.d`,
 * NAT64 `64:ff9b::/96`). Anything that is not an IP literal counts as forbidden.
 */
export function isForbiddenAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIPv4(bare)) return FORBIDDEN.check(bare, 'ipv4');
  if (!isIPv6(bare)) return true;
  const groups = ipv6Groups(bare);
  const embedsIpv4 =
    (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) ||
    (groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0));
  if (embedsIpv4) {
    const ipv4 = [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
    return FORBIDDEN.check(ipv4, 'ipv4');
  }
  return FORBIDDEN.check(bare, 'ipv6');
}

export interface WebhookUrlRefusal {
  reason: WebhookUrlRefusalReason;
  message: string;
}

/**
 * Checks a webhook URL and every address its host resolves to now. Returns why it is refused, or
 * null when it may be called. DNS can change after this check, so the HTTP client checks the
 * addresses it actually connects to again (`webhook-http.client.ts`); a caller that relies on that
 * passes `resolveHost: false` to check only the URL itself and IP-literal hosts.
 */
export async function checkWebhookUrl(
  url: string,
  allowPrivate: boolean,
  options: { resolveHost?: boolean } = {},
): Promise<WebhookUrlRefusal | null> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { reason: 'invalid-url', message: 'Webhook URL is not a valid absolute URL' };
  }
  if (url.length > WEBHOOK_URL_MAX_LENGTH) {
    return {
      reason: 'invalid-url',
      message: `Webhook URL is longer than ${WEBHOOK_URL_MAX_LENGTH} characters`,
    };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return { reason: 'scheme', message: 'Webhook URL must use https or http' };
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return {
      reason: 'credentials',
      message: 'Webhook URL must not contain credentials; requests are signed instead',
    };
  }
  if (allowPrivate) return null;

  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIPv4(host) || isIPv6(host)) {
    addresses = [host];
  } else if (options.resolveHost === false) {
    return null;
  } else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      return { reason: 'unresolvable', message: `Webhook host ${host} does not resolve (${code})` };
    }
  }
  if (addresses.some(isForbiddenAddress)) {
    return {
      reason: 'private-address',
      // The address itself is not echoed: it would tell a caller how internal names resolve.
      message: `Webhook host ${host} is or resolves to a loopback, private or other non-public address`,
    };
  }
  return null;
}

/**
 * Refuses a webhook URL that is not http(s), carries credentials, or (unless `allowPrivate`)
 * resolves to any loopback, private, link-local, CGNAT, unspecified or multicast address.
 *
 * @throws AppError `BOTS.WEBHOOK_URL_REFUSED` (`invalid_argument`), details `{ url, reason }`
 */
export async function assertWebhookUrlAllowed(url: string, allowPrivate: boolean): Promise<void> {
  const refusal = await checkWebhookUrl(url, allowPrivate);
  if (refusal) {
    throw new AppError(WEBHOOK_URL_REFUSED, 'invalid_argument', refusal.message, {
      url,
      reason: refusal.reason,
    });
  }
}

/** The eight 16-bit groups of a valid IPv6 literal (a trailing dotted IPv4 counts as two). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text =
      text.slice(0, dotted.index) +
      (((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16));
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const parse = (part: string | undefined) =>
    part ? part.split(':').map((group) => parseInt(group, 16)) : [];
  const left = parse(head);
  const right = parse(tail);
  const zeros = tail === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right];
}
