// What the services serve at GET /metrics, and so all the dashboards and alerting rules may use.
// Declared in libs/platform/runtime (HTTP, Node defaults), libs/platform/messaging (rpc_*, events_*,
// outbox_*, dlq_events, nats_reconnects_total) and libs/gateway (gateway_*); a spec checks the
// custom names are still declared there.

/** Histograms: referenced only through their `_bucket`, `_count` and `_sum` series. */
export const HISTOGRAMS = [
  'http_server_duration_seconds',
  'rpc_client_duration_seconds',
  'rpc_server_duration_seconds',
  'events_process_duration_seconds',
] as const;

/** Counters and gauges the platform's code declares. */
export const CUSTOM_SERIES = [
  'events_redeliveries_total',
  'events_published_total',
  'outbox_backlog_events',
  'outbox_oldest_event_age_seconds',
  'events_consumer_pending',
  'events_consumer_ack_pending',
  'dlq_events',
  'nats_reconnects_total',
  'gateway_websockets',
  'gateway_websockets_closed_slow_total',
] as const;

/** prom-client's default metrics (`collectDefaultMetrics`) the dashboards and rules use. */
export const DEFAULT_SERIES = [
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_heap_size_used_bytes',
  'nodejs_heap_size_total_bytes',
] as const;

/** Every series name a query may reference: the above, the histograms' series, and `up`. */
export const KNOWN_SERIES: ReadonlySet<string> = new Set([
  ...HISTOGRAMS.flatMap((name) => [`${name}_bucket`, `${name}_count`, `${name}_sum`]),
  ...CUSTOM_SERIES,
  ...DEFAULT_SERIES,
  'up',
]);

/**
 * Labels a query may match or group on: the services' own (`method`, `route`, `status`, `subject`,
 * `code`, `consumer`, `outcome`, `domain`), the one the scrape config sets (`service`), the ones
 * Prometheus adds (`job`, `instance`), and the histograms' `le`.
 */
export const KNOWN_LABELS: ReadonlySet<string> = new Set([
  'method',
  'route',
  'status',
  'subject',
  'code',
  'consumer',
  'outcome',
  'domain',
  'service',
  'job',
  'instance',
  'le',
]);
