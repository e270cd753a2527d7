/** The domain's name: the second token of its subjects, its queue group, consumers and database. */
export const DOMAIN = 'gateway';
export { UPSTREAMS_BUCKET, UpstreamKey, UpstreamsEntry } from './upstreams';
