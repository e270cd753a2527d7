/**
 * `npm run bench -- --suite spans`: what one span costs the process that records it, with tracing
 * off, sampled out, recorded, and recorded and encoded as OTLP — each case in fresh processes,
 * rounds interleaved, medians printed. Numbers, not a test: the RPC and events suites'
 * `platform-traced` show what the same costs amount to on a real hop.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { positiveInteger } from '../flags';
import { median } from '../report/aggregate';
import { SPAN_CASE_DESCRIPTIONS, SPAN_CASES, type SpanCase } from './span-cases';

export const SPANS_USAGE = `npm run bench -- --suite spans: the cost of one span, per case, in fresh processes.

  --spans <n>    spans measured per run (default 300000)
  --rounds <n>   runs per case, interleaved; the report shows medians (default 5)
  --help         this text`;

async function runCase(spanCase: SpanCase, spans: number): Promise<number> {
  const child = fork(join(__dirname, 'span-cost.child.ts'), [spanCase, String(spans)], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += String(chunk)));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`the ${spanCase} run exited with ${code}`);
  return (JSON.parse(output.trim()) as { nsPerSpan: number }).nsPerSpan;
}

export async function runSpansSuite(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      spans: { type: 'string', default: '300000' },
      rounds: { type: 'string', default: '5' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(SPANS_USAGE);
    return;
  }
  const spans = positiveInteger('--spans', values.spans);
  const rounds = positiveInteger('--rounds', values.rounds);
  const results = new Map<SpanCase, number[]>(SPAN_CASES.map((spanCase) => [spanCase, []]));
  for (let round = 0; round < rounds; round++) {
    // Rotated each round, so the machine's background lands on every case alike.
    const order = [
      ...SPAN_CASES.slice(round % SPAN_CASES.length),
      ...SPAN_CASES.slice(0, round % SPAN_CASES.length),
    ];
    for (const spanCase of order) results.get(spanCase)?.push(await runCase(spanCase, spans));
  }
  console.log(
    `\n${spans.toLocaleString('en-US')} spans per run, ${rounds} run(s) per case, medians:\n`,
  );
  console.log('case          µs/span  range          what');
  for (const spanCase of SPAN_CASES) {
    const runs = results.get(spanCase) ?? [];
    const us = (ns: number) => (ns / 1_000).toFixed(2);
    console.log(
      `${spanCase.padEnd(12)} ${us(median(runs)).padStart(8)}  ${`${us(Math.min(...runs))}–${us(Math.max(...runs))}`.padEnd(13)}  ${SPAN_CASE_DESCRIPTIONS[spanCase]}`,
    );
  }
}
