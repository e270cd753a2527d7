import { parseArgs } from 'node:util';
import { list, nonNegativeNumber, positiveInteger, positiveNumber } from '../flags';
import { type Arrival, ARRIVALS } from '../runner/arrival.schedule';
import { DEFAULT_SWEEP, type SweepOptions } from '../runner/rate.sweep';

export const SCENARIOS = ['post', 'echo', 'story-reply'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface E2eBenchOptions {
  topologies: string[];
  scenarios: ScenarioName[];
  /** Offered rates, one window each; unused with `sweep`. */
  rates: number[];
  arrival: Arrival;
  seed: number;
  warmupMs: number;
  durationMs: number;
  /** Users and conversations each scenario spreads its load over. */
  conversations: number;
  /** How long operations may trail a window before they count as lost. */
  drainMs: number;
  /** Step the rate up instead of `rates`. */
  sweep?: SweepOptions;
  /** Where the JSON result goes; default `dist/bench/e2e-<timestamp>.json` under the workspace. */
  out?: string;
}

export const E2E_USAGE = `End-to-end benchmark: each topology's processes from the build, the gateway in front, a
private nats-server with JetStream and fresh Postgres databases per topology; this process plays
the users, over HTTP and WebSocket through the gateway only.

Scenarios (latency from each operation's scheduled time, open loop):
  post          POST a message → its 201
  echo          POST "/echo <token>" → echo-bot's reply frame on the poster's /ws
  story-reply   POST a reply to a story → the message in the direct conversation, as a frame
                on the story author's /ws

Usage: npm run bench -- --suite e2e [options]   (builds the services first)

  --topology <list>     topologies to run, each fresh (default services,monolith; also mixed)
  --scenario <list>     scenarios (default post,echo,story-reply)
  --rate <list>         offered operations per second, one window each (default 20,50)
  --arrival <kind>      constant (i / rate) or poisson (exponential gaps) (default poisson)
  --seed <n>            seed of the Poisson gaps (default 1)
  --warmup <s>          warm-up before each window, not counted (default 3)
  --duration <s>        measured window (default 10)
  --conversations <n>   users and conversations each scenario spreads over (default 16)
  --drain <s>           how long answers may trail a window before they count as lost (default 30)
  --sweep               step the rate up instead of --rate, until it is not sustained:
    --sweep-start <r>     first rate (default ${DEFAULT_SWEEP.startRate})
    --sweep-factor <x>    each step × this (default ${DEFAULT_SWEEP.factor})
    --sweep-max <r>       highest rate tried (default ${DEFAULT_SWEEP.maxRate})
    --sweep-min-ratio <f> sustained while achieved ≥ f × sent (default ${DEFAULT_SWEEP.minRatio})
    --p99-bound <ms>      …and p99 ≤ this (default ${DEFAULT_SWEEP.p99BoundMs})
  --out <file>          JSON result path (default dist/bench/e2e-<timestamp>.json)
  --help                this text`;

function oneOf<T extends string>(flag: string, allowed: readonly T[], value: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`${flag}: unknown "${value}"; choose from ${allowed.join(', ')}`);
  }
  return value as T;
}

/** Parses the flags; throws with a readable message on a bad one. Returns undefined for --help. */
export function parseE2eOptions(argv: string[]): E2eBenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      topology: { type: 'string', default: 'services,monolith' },
      scenario: { type: 'string', default: SCENARIOS.join(',') },
      rate: { type: 'string', default: '20,50' },
      arrival: { type: 'string', default: 'poisson' },
      seed: { type: 'string', default: '1' },
      warmup: { type: 'string', default: '3' },
      duration: { type: 'string', default: '10' },
      conversations: { type: 'string', default: '16' },
      drain: { type: 'string', default: '30' },
      sweep: { type: 'boolean', default: false },
      'sweep-start': { type: 'string', default: String(DEFAULT_SWEEP.startRate) },
      'sweep-factor': { type: 'string', default: String(DEFAULT_SWEEP.factor) },
      'sweep-max': { type: 'string', default: String(DEFAULT_SWEEP.maxRate) },
      'sweep-min-ratio': { type: 'string', default: String(DEFAULT_SWEEP.minRatio) },
      'p99-bound': { type: 'string', default: String(DEFAULT_SWEEP.p99BoundMs) },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  const topologies = list(values.topology);
  if (topologies.length === 0) throw new Error('--topology: expected at least one');
  const scenarios = [...new Set(list(values.scenario))].map((name) =>
    oneOf('--scenario', SCENARIOS, name),
  );
  if (scenarios.length === 0) throw new Error('--scenario: expected at least one');
  // Each rate once: a run's id is its scenario, topology and rate.
  const rates = [...new Set(list(values.rate).map((rate) => positiveNumber('--rate', rate)))];
  if (rates.length === 0) throw new Error('--rate: expected at least one');
  const factor = positiveNumber('--sweep-factor', values['sweep-factor']);
  if (factor <= 1) throw new Error(`--sweep-factor: expected a number > 1, got ${factor}`);
  const minRatio = positiveNumber('--sweep-min-ratio', values['sweep-min-ratio']);
  if (minRatio > 1) throw new Error(`--sweep-min-ratio: expected at most 1, got ${minRatio}`);
  const sweep: SweepOptions = {
    startRate: positiveNumber('--sweep-start', values['sweep-start']),
    factor,
    maxRate: positiveNumber('--sweep-max', values['sweep-max']),
    minRatio,
    p99BoundMs: positiveNumber('--p99-bound', values['p99-bound']),
  };
  return {
    topologies,
    scenarios,
    rates,
    arrival: oneOf('--arrival', ARRIVALS, values.arrival),
    seed: positiveInteger('--seed', values.seed),
    warmupMs: nonNegativeNumber('--warmup', values.warmup) * 1_000,
    durationMs: positiveNumber('--duration', values.duration) * 1_000,
    conversations: positiveInteger('--conversations', values.conversations),
    drainMs: positiveNumber('--drain', values.drain) * 1_000,
    sweep: values.sweep ? sweep : undefined,
    out: values.out,
  };
}
