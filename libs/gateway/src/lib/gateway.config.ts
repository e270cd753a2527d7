import { Gateway } from '@switchboard/contracts';
import { z } from 'zod';

/** The four services' local addresses: what `npm start` runs, the default outside production. */
export const LOCAL_UPSTREAMS =
  'chat=http://127.0.0.1:3101,stories=http://127.0.0.1:3102,calls=http://127.0.0.1:3103,bots=http://127.0.0.1:3104';

const SERVICE_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * `chat=http://chat:3101,stories=http://stories:3102`: each service once, `name=url`, replicas of
 * one service separated by `|`. Parsed into `{ chat: ['http://chat:3101'], … }`.
 */
export const UpstreamsSetting = z.string().transform((value, context) => {
  const upstreams: Record<string, string[]> = {};
  for (const entry of value.split(',').map((part) => part.trim())) {
    if (entry === '') continue;
    const [name, urls, extra] = entry.split('=');
    if (urls === undefined || extra !== undefined || !SERVICE_NAME.test(name.trim())) {
      context.addIssue({ code: 'custom', message: `"${entry}" is not name=url[|url…]` });
      continue;
    }
    const key = name.trim();
    if (upstreams[key]) {
      context.addIssue({ code: 'custom', message: `${key} is listed twice` });
      continue;
    }
    upstreams[key] = [];
    for (const url of urls.split('|').map((part) => part.trim())) {
      if (!/^https?:\/\/[^/\s]+\/?$/.test(url)) {
        context.addIssue({
          code: 'custom',
          message: `${key}: "${url}" is not http(s)://host:port`,
        });
        continue;
      }
      upstreams[key].push(url.replace(/\/$/, ''));
    }
  }
  if (Object.keys(upstreams).length === 0) {
    context.addIssue({ code: 'custom', message: 'names no service' });
  }
  return upstreams;
});

const origins = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
  )
  .refine(
    (list) => list.every((origin) => origin === '*' || /^https?:\/\/[^/\s]+$/.test(origin)),
    'must be "*" or comma-separated origins such as https://app.example.com',
  );

/** Environment keys of the gateway (validated at boot with the base keys). */
export const GatewayConfig = z.object({
  /**
   * Where each service listens. Defaults to the local ports outside production; a deployment
   * generates it (and the delivery pipeline will switch it without a restart).
   */
  GATEWAY_UPSTREAMS: UpstreamsSetting.optional(),
  /**
   * NATS KV bucket of upstreams the gateway watches, so the pipeline switches a service's traffic
   * without a restart (`Gateway.UPSTREAMS_BUCKET`); empty turns it off.
   */
  GATEWAY_UPSTREAMS_BUCKET: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]*$/, 'a KV bucket name: letters, digits, - and _')
    .default(Gateway.UPSTREAMS_BUCKET),
  /** How long the gateway waits for a service's response when the client sets no earlier deadline. */
  GATEWAY_UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  /** Browser origins allowed to call the API (CORS); empty: no CORS headers, same origin only. */
  GATEWAY_CORS_ORIGINS: origins,
  /** Requests per minute one user may make (burst: the same number); 0 turns the limit off. */
  GATEWAY_RATE_LIMIT_PER_USER: z.coerce.number().int().min(0).max(1_000_000).default(600),
  /** Requests per minute from one client address; 0 turns the limit off. */
  GATEWAY_RATE_LIMIT_PER_IP: z.coerce.number().int().min(0).max(1_000_000).default(1_200),
  /**
   * Events of each stream kept in memory for clients that reconnect with a cursor. A client away
   * for longer than this many events of one stream gets `reset` and reloads over HTTP.
   */
  GATEWAY_WS_REPLAY_EVENTS: z.coerce.number().int().min(100).max(1_000_000).default(10_000),
  /** Bytes that may wait unread on one socket before it is closed with 4008 (too slow). */
  GATEWAY_WS_MAX_BUFFERED_BYTES: z.coerce
    .number()
    .int()
    .min(16 * 1024)
    .max(256 * 1024 * 1024)
    .default(1024 * 1024),
  /** How often every socket gets a `heartbeat` frame (its fresh cursor) and a ping. */
  GATEWAY_WS_HEARTBEAT_MS: z.coerce.number().int().min(100).max(600_000).default(25_000),
  /** Sockets one user may hold open on one gateway replica (tabs, devices). */
  GATEWAY_WS_MAX_SOCKETS_PER_USER: z.coerce.number().int().min(1).max(1_000).default(20),
  /**
   * Folder of the built demo web client, served at `/`. Unset: the `web` folder next to the
   * gateway's main.js, where `nx build gateway` puts it.
   */
  GATEWAY_WEB_ROOT: z.string().trim().min(1).optional(),
});
export type GatewayConfig = z.output<typeof GatewayConfig>;
