import { parseArgs } from 'node:util';
import { list, nonNegativeInteger, positiveInteger, positiveNumber } from '../flags';
import {
  EVENTS_IMPLEMENTATION_NAMES,
  type EventsImplementationName,
  isEventsImplementationName,
} from './implementations';

export interface EventsBenchOptions {
  implementations: EventsImplementationName[];
  /** Platform: events per producer transaction, one run each (`--tx-size`; Nx owns `--batch`). */
  batches: number[];
  /** Measured events per run. */
  events: number;
  /** Events sent end to end before the measurement, per run; dropped. */
  warmupEvents: number;
  rounds: number;
  /** Raw: publishes awaiting their PubAck at once. */
  window: number;
  /** Platform: producer transactions at once. */
  transactions: number;
  /** Events/s on a fixed schedule (open loop) instead of as fast as the in-flight limits allow. */
  rate?: number;
  /** Where the JSON result goes; default `dist/bench/events-<timestamp>.json` under the workspace. */
  out?: string;
  profile: boolean;
}

export const EVENTS_USAGE = `Events throughput benchmark: raw JetStream (js.publish -> pull consumer) vs the platform's
outbox -> relay -> JetStreamTransport path with inbox and effect, against a private nats-server
with JetStream and fresh Postgres databases.

Usage: npm run bench -- --suite events [options]

  --events <n>         measured events per run (default 20000)
  --warmup-events <n>  events sent end to end before each measurement, dropped (default 2000)
  --rounds <n>         repeat everything n times, interleaved; the report shows medians (default 3)
  --impl <list>        implementations, comma-separated (default ${EVENTS_IMPLEMENTATION_NAMES.join(',')})
  --tx-size <list>     platform: events per producer transaction, one run each (default 1,50)
  --transactions <n>   platform: producer transactions in flight at once (default 8)
  --window <n>         raw: publishes awaiting their PubAck at once (default 256)
  --rate <events/s>    produce on a fixed schedule instead of flat out: latency at a given load
  --out <file>         JSON result path (default dist/bench/events-<timestamp>.json)
  --profile            also write a .cpuprofile per process next to the JSON (slows every run down)
  --help               this text`;

/** Parses the flags; throws with a readable message on a bad one. Returns undefined for --help. */
export function parseEventsOptions(argv: string[]): EventsBenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      events: { type: 'string', default: '20000' },
      'warmup-events': { type: 'string', default: '2000' },
      rounds: { type: 'string', default: '3' },
      impl: { type: 'string', default: EVENTS_IMPLEMENTATION_NAMES.join(',') },
      'tx-size': { type: 'string', default: '1,50' },
      transactions: { type: 'string', default: '8' },
      window: { type: 'string', default: '256' },
      rate: { type: 'string' },
      out: { type: 'string' },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;

  const implementations = list(values.impl).map((name) => {
    if (!isEventsImplementationName(name)) {
      throw new Error(
        `--impl: unknown "${name}"; choose from ${EVENTS_IMPLEMENTATION_NAMES.join(', ')}`,
      );
    }
    return name;
  });
  return {
    implementations: [...new Set(implementations)],
    batches: [...new Set(list(values['tx-size']).map((b) => positiveInteger('--tx-size', b)))],
    events: positiveInteger('--events', values.events),
    warmupEvents: nonNegativeInteger('--warmup-events', values['warmup-events']),
    rounds: positiveInteger('--rounds', values.rounds),
    window: positiveInteger('--window', values.window),
    transactions: positiveInteger('--transactions', values.transactions),
    rate: values.rate === undefined ? undefined : positiveNumber('--rate', values.rate),
    out: values.out,
    profile: values.profile,
  };
}
