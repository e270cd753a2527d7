import { parseArgs } from 'node:util';
import { DEFAULT_PAYLOAD_BYTES } from './payload';
import { list, nonNegativeNumber, payloadBytes, positiveInteger, positiveNumber } from './flags';
import {
  DEFAULT_IMPLEMENTATIONS,
  IMPLEMENTATION_NAMES,
  type ImplementationName,
  isImplementationName,
} from './implementations';

export interface BenchOptions {
  implementations: ImplementationName[];
  /** Closed-loop concurrencies; ignored when `rate` is set. */
  concurrencies: number[];
  /** Open-loop rate (requests/s); when set, every implementation runs at this fixed rate instead. */
  rate?: number;
  /** Request body sizes in bytes: every load runs once with each. */
  payloads: number[];
  warmupMs: number;
  durationMs: number;
  rounds: number;
  /** Where the JSON result goes; default `dist/bench/rpc-<timestamp>.json` under the workspace. */
  out?: string;
  /** Write a V8 CPU profile of every benchmark process (costs throughput; for finding where time goes). */
  profile: boolean;
}

export const USAGE = `Inter-service RPC benchmark: raw nats.js vs the platform's RpcClient/NatsTransport vs Nest's
NATS transport vs an in-process call, against a private nats-server.

Usage: npm run bench -- [options]
       npm run bench -- --suite events [options]   the events suite; its flags: --suite events --args=--help

  --duration <s>       measured window per run, seconds (default 10)
  --warmup <s>         warm-up per run, discarded, seconds (default 2)
  --rounds <n>         repeat everything n times, interleaved; the report shows medians (default 3)
  --concurrency <list> closed-loop workers, comma-separated (default 1,64)
  --rate <req/s>       open loop instead: send at this fixed rate, latency from the scheduled time
  --impl <list>        implementations, comma-separated (default ${DEFAULT_IMPLEMENTATIONS.join(',')};
                       also platform-traced: platform with tracing on, spans exported to a sink)
  --payload <list>     request body sizes in bytes, e.g. 128,1024,16384 (default ${DEFAULT_PAYLOAD_BYTES})
  --out <file>         JSON result path (default dist/bench/rpc-<timestamp>.json)
  --profile            also write a .cpuprofile per process next to the JSON (slows every run down)
  --help               this text`;

/** Parses the flags; throws with a readable message on a bad one. Returns undefined for --help. */
export function parseBenchOptions(argv: string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      rounds: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '1,64' },
      rate: { type: 'string' },
      payload: { type: 'string', default: String(DEFAULT_PAYLOAD_BYTES) },
      impl: { type: 'string', default: DEFAULT_IMPLEMENTATIONS.join(',') },
      out: { type: 'string' },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;

  const implementations = list(values.impl).map((name) => {
    if (!isImplementationName(name)) {
      throw new Error(`--impl: unknown "${name}"; choose from ${IMPLEMENTATION_NAMES.join(', ')}`);
    }
    return name;
  });
  return {
    implementations: [...new Set(implementations)],
    concurrencies: [
      ...new Set(list(values.concurrency).map((c) => positiveInteger('--concurrency', c))),
    ],
    rate: values.rate === undefined ? undefined : positiveNumber('--rate', values.rate),
    payloads: [...new Set(list(values.payload).map((size) => payloadBytes('--payload', size)))],
    warmupMs: nonNegativeNumber('--warmup', values.warmup) * 1_000,
    durationMs: positiveNumber('--duration', values.duration) * 1_000,
    rounds: positiveInteger('--rounds', values.rounds),
    out: values.out,
    profile: values.profile,
  };
}
