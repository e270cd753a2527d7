import { z } from 'zod';

/**
 * The NATS KV bucket through which the delivery pipeline switches the gateway's traffic: one key
 * per service (`chat`), its value an {@link UpstreamsEntry}. Every gateway replica watches it and
 * applies a change as it comes, without a restart; deleting a key returns that service to the
 * gateway's configured `GATEWAY_UPSTREAMS`.
 */
export const UPSTREAMS_BUCKET = 'upstreams';

/** A service name as a KV key and a route segment (`/api/<service>/…`). */
export const UpstreamKey = z.string().regex(/^[a-z][a-z0-9-]*$/, 'a service name');

/** Where a service's traffic goes now, and which release answers there. */
export const UpstreamsEntry = z
  .object({
    /** Base URLs of the replicas, e.g. `http://127.0.0.1:41017`. */
    urls: z
      .array(z.url({ protocol: /^https?$/ }).refine((url) => !url.endsWith('/'), 'no trailing /'))
      .min(1)
      .max(64),
    /** The release behind them (a git sha), reported back by the gateway's readiness. */
    release: z.string().min(1).max(100).optional(),
  })
  .strict();
export type UpstreamsEntry = z.infer<typeof UpstreamsEntry>;
