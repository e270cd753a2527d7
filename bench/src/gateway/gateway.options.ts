import { parseArgs } from 'node:util';
import { nonNegativeInteger, positiveInteger, positiveNumber } from '../flags';
import { CHAT_GROUP_MAX } from './fleet';

export interface GatewayBenchOptions {
  /** Sockets connected while the fan-out is measured, one user each. */
  sockets: number;
  /** Members of each group conversation: every post reaches this many sockets. */
  group: number;
  /** Posts per second, on a fixed schedule (open loop). */
  rate: number;
  warmupMs: number;
  durationMs: number;
  /** The capacity phase opens sockets up to this many in all; 0 skips it. */
  holdSockets: number;
  /** Where the JSON result goes; default `dist/bench/gateway-<timestamp>.json` under the workspace. */
  out?: string;
}

export const GATEWAY_USAGE = `Gateway realtime benchmark: the built chat service and gateway as processes, a private
nats-server with JetStream, a fresh Postgres database, and this process holding the sockets.

  1. Fan-out: --sockets users connect to /ws, in groups of --group; posts are made over HTTP
     through the gateway at --rate posts/s (open loop), each reaching every member's socket.
     Latency is from the post's scheduled send time to its frame on each socket.
  2. Capacity: more sockets are opened in steps up to --hold; the gateway's resident memory is
     read at each step, giving what one socket costs and how many one process holds.

Usage: npm run bench -- --suite gateway [options]   (builds chat and gateway first)

  --sockets <n>    sockets connected during the fan-out (default 1000)
  --group <n>      members per conversation: frames per post (default 100, at most ${CHAT_GROUP_MAX})
  --rate <n>       posts per second (default 20)
  --warmup <s>     warm-up, discarded, seconds (default 3)
  --duration <s>   measured window, seconds (default 15)
  --hold <n>       capacity phase: open sockets up to this many in all; 0 skips it (default 10000)
  --out <file>     JSON result path (default dist/bench/gateway-<timestamp>.json)
  --help           this text`;

/** Parses the flags; throws with a readable message on a bad one. Returns undefined for --help. */
export function parseGatewayOptions(argv: string[]): GatewayBenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      sockets: { type: 'string', default: '1000' },
      group: { type: 'string', default: '100' },
      rate: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '3' },
      duration: { type: 'string', default: '15' },
      hold: { type: 'string', default: '10000' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  const sockets = positiveInteger('--sockets', values.sockets);
  const group = positiveInteger('--group', values.group);
  if (group < 2 || group > CHAT_GROUP_MAX) {
    throw new Error(`--group: a conversation has 2 to ${CHAT_GROUP_MAX} members, got ${group}`);
  }
  if (sockets < group)
    throw new Error(`--sockets (${sockets}) must be at least --group (${group})`);
  const holdSockets = nonNegativeInteger('--hold', values.hold);
  if (holdSockets !== 0 && holdSockets < sockets) {
    throw new Error(`--hold (${holdSockets}) must be 0 or at least --sockets (${sockets})`);
  }
  return {
    sockets,
    group,
    rate: positiveNumber('--rate', values.rate),
    warmupMs: positiveNumber('--warmup', values.warmup) * 1_000,
    durationMs: positiveNumber('--duration', values.duration) * 1_000,
    holdSockets,
    out: values.out,
  };
}
