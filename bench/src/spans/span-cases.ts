/** What the spans suite compares, cheapest first. */
export const SPAN_CASES = ['off', 'sampled-out', 'recorded', 'encoded'] as const;
export type SpanCase = (typeof SPAN_CASES)[number];

export const SPAN_CASE_DESCRIPTIONS: Record<SpanCase, string> = {
  off: 'no tracer provider (tracing off): what every service pays by default',
  'sampled-out': 'a provider whose sampler drops the trace: what a sampled-out request pays',
  recorded: 'recorded and batched, the exporter discards the batches: the SDK alone',
  encoded: 'recorded, batched and encoded as OTLP protobuf (not sent): what an exported span costs',
};

export function isSpanCase(value: string): value is SpanCase {
  return (SPAN_CASES as readonly string[]).includes(value);
}
