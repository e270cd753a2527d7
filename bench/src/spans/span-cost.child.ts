/**
 * One case of the spans suite, in a process of its own (the tracer provider is process-wide):
 * starts and ends spans as the RPC client does (`startSpan`, a CLIENT span with the messaging
 * attributes, a new trace each) and prints the mean cost per span as JSON.
 */
import { SpanKind, trace } from '@opentelemetry/api';
import { type ExportResult } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { messagingAttributes, newTraceContext, startSpan } from '@switchboard/platform-messaging';
import { isSpanCase, type SpanCase } from './span-cases';

/** Takes the batches and, for `encoded`, turns them into the OTLP protobuf a collector receives. */
class DiscardingExporter implements SpanExporter {
  constructor(private readonly encode: boolean) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (this.encode) ProtobufTraceSerializer.serializeRequest(spans);
    done({ code: 0 });
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function register(spanCase: SpanCase): BasicTracerProvider | undefined {
  if (spanCase === 'off') return undefined;
  const provider = new BasicTracerProvider({
    sampler: spanCase === 'sampled-out' ? new AlwaysOffSampler() : new AlwaysOnSampler(),
    spanProcessors: [new BatchSpanProcessor(new DiscardingExporter(spanCase === 'encoded'))],
  });
  trace.setGlobalTracerProvider(provider);
  return provider;
}

function oneSpan(): void {
  const { span } = startSpan(
    'send rpc.bench.echo.v1',
    { kind: SpanKind.CLIENT, attributes: messagingAttributes('send', 'rpc.bench.echo.v1') },
    newTraceContext,
  );
  span?.end();
}

/**
 * Spans in batches of a service's pace, the event loop let run between them: the batch processor
 * exports on the loop, and a loop never let go would find its queue full and drop spans instead.
 */
async function spansInBatches(count: number): Promise<void> {
  for (let done = 0; done < count; done += BATCH) {
    for (let i = 0; i < BATCH; i++) oneSpan();
    await new Promise((resolve) => setImmediate(resolve));
  }
}
const BATCH = 256;

async function main(): Promise<void> {
  const [name, countText] = process.argv.slice(2);
  if (name === undefined || !isSpanCase(name)) throw new Error(`unknown case "${name}"`);
  const count = Number(countText);
  const provider = register(name);
  // Warm-up: the JIT, and the batch processor's buffers at their working size.
  await spansInBatches(count / 5);
  await provider?.forceFlush();
  const started = process.hrtime.bigint();
  await spansInBatches(count);
  // What is still queued is part of the cost: export it inside the measured time.
  await provider?.forceFlush();
  const nsPerSpan = Number(process.hrtime.bigint() - started) / count;
  await provider?.shutdown();
  process.stdout.write(`${JSON.stringify({ case: name, nsPerSpan })}\n`);
}

void main();
