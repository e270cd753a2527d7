/**
 * What a service serves to the platform, not to users: the probes (`/health/live`,
 * `/health/ready`) and the Prometheus scrape (`/metrics`). The gateway never routes them, and they
 * are not traced, measured or logged per request: they come every few seconds from machines and
 * would drown the traffic they are there to watch.
 */
const INTERNAL_PATHS = ['/health', '/metrics'] as const;

/** Whether `path` (no query string) is one of {@link INTERNAL_PATHS} or below one: whole segments. */
export function isInternalPath(path: string): boolean {
  return INTERNAL_PATHS.some((internal) => path === internal || path.startsWith(`${internal}/`));
}

/** The path of a request URL (`/a/b?c=d` → `/a/b`). */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
