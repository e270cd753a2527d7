export { UPSTREAMS_BUCKET, UpstreamKey, UpstreamsEntry } from './upstreams';
