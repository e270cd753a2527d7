/** The domain's name: the second token of its subjects, its queue group, consumers and database. */
export const DOMAIN = 'gateway';
export { UPSTREAMS_BUCKET, UpstreamKey, UpstreamsEntry } from './upstreams';

/**
 * The HTTP header (lower case, as Node reads it) on which the gateway tells a service which domain
 * a request is for: the `<domain>` of `/api/<domain>/<path>`. A process answers a route of another
 * domain as it answers an unknown one (404 `NOT_FOUND`), and its `/docs/openapi.json` describes
 * that domain's routes only — so a domain's API is the same whichever process hosts it, and
 * `/api/chat/bots` does not reach bots' `/bots` in a process hosting both.
 */
export const DOMAIN_HEADER = 'switchboard-domain';
