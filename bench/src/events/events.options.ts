import { parseArgs } from 'node:util';
import { list, nonNegativeInteger, payloadBytes, positiveInteger, positiveNumber } from '../flags';
import { DEFAULT_PAYLOAD_BYTES } from '../payload';
import {
  DEFAULT_EVENTS_IMPLEMENTATIONS,
  EVENTS_IMPLEMENTATION_NAMES,
  type EventsImplementationName,
  isEventsImplementationName,
} from './implementations';

/** Where the platform's services keep their outbox, inbox and effects. */
export const EVENTS_DATABASES = ['postgres', 'sqlite'] as const;
export type EventsDatabase = (typeof EVENTS_DATABASES)[number];

export interface EventsBenchOptions {
  implementations: EventsImplementationName[];
  /** Platform: the database kinds to run it on, one run each (`--db`). */
  databases: EventsDatabase[];
  /** Platform: events per producer transaction, one run each (`--tx-size`; Nx owns `--batch`). */
  batches: number[];
  /** Event body sizes in bytes, one run of every path each (`--payload`). */
  payloads: number[];
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
  --impl <list>        implementations, comma-separated (default ${DEFAULT_EVENTS_IMPLEMENTATIONS.join(',')};
                       also platform-traced: platform with tracing on, spans exported to a sink)
  --tx-size <list>     platform: events per producer transaction, one run each (default 1,50)
  --payload <list>     event body sizes in bytes, e.g. 128,1024,16384, one run of every path each
                       (default ${DEFAULT_PAYLOAD_BYTES})
  --db <list>          platform: postgres and/or sqlite (a temp file per service and run), one run each
                       (default postgres)
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
      impl: { type: 'string', default: DEFAULT_EVENTS_IMPLEMENTATIONS.join(',') },
      'tx-size': { type: 'string', default: '1,50' },
      db: { type: 'string', default: 'postgres' },
      payload: { type: 'string', default: String(DEFAULT_PAYLOAD_BYTES) },
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
  const databases = list(values.db).map((name) => {
    if (!(EVENTS_DATABASES as readonly string[]).includes(name)) {
      throw new Error(`--db: unknown "${name}"; choose from ${EVENTS_DATABASES.join(', ')}`);
    }
    return name as EventsDatabase;
  });
  if (databases.length === 0)
    throw new Error(`--db: name at least one of ${EVENTS_DATABASES.join(', ')}`);
  return {
    implementations: [...new Set(implementations)],
    databases: [...new Set(databases)],
    batches: [...new Set(list(values['tx-size']).map((b) => positiveInteger('--tx-size', b)))],
    payloads: [...new Set(list(values.payload).map((size) => payloadBytes('--payload', size)))],
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
