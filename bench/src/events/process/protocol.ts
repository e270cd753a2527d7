import { type CpuTime } from '../../process/protocol';
import { type EventsImplementationName } from '../implementations';

/**
 * The messages between the orchestrator and the two processes of an events run: the producer (the
 * publishing service) and the consumer (the subscribing service). Both are fresh for every run, so
 * no run inherits another's heap, JIT state, connections or pools.
 */
export type EventsParentMessage =
  /** Producer: produce the warm-up events and report `produced`. */
  | { type: 'warm-up' }
  /** Both: collect garbage, start counting CPU time, answer `measuring`. */
  | { type: 'measure-start' }
  /** Producer: produce the measured events and report `produced`. */
  | { type: 'produce' }
  /** Both: answer `cpu` with the CPU time spent since `measure-start`. */
  | { type: 'measure-stop' }
  /** Both: close connections and exit. */
  | { type: 'stop' };

export type EventsChildMessage =
  | { type: 'ready' }
  | { type: 'produced'; times: ProducedTimes }
  /** Consumer, unasked: every warm-up event is done (`result` absent), then every measured one. */
  | { type: 'consumed'; result?: ConsumedResult }
  | { type: 'measuring' }
  | { type: 'cpu'; cpu: CpuTime }
  | { type: 'failed'; error: string };

/** `ProduceTimes` as it crosses the process boundary. */
export interface ProducedTimes {
  startedAtUs: number;
  writtenAtUs: number;
  relayedAtUs?: number;
  /** Float64Array of commit times, base64. */
  committedAtUs?: string;
  /** Fixed rate only: HdrHistogram (ns, compressed base64) of the schedule's lag. */
  scheduleLagHistogram?: string;
}

export interface ConsumedResult {
  /** Float64Array of done times of the measured events (index = seq - warm-up events), base64. */
  doneAtUs: string;
  /** HdrHistogram (ns, compressed base64) of payload time → done. */
  fromPayloadHistogram: string;
  duplicates: number;
}

export interface EventsChildConfig {
  role: 'producer' | 'consumer';
  implementation: EventsImplementationName;
  natsUrl: string;
  databaseUrl?: string;
  warmupEvents: number;
  events: number;
  window: number;
  batch: number;
  payloadBytes: number;
  transactions: number;
  rate?: number;
}

export function encodeTimes(times: Float64Array): string {
  return Buffer.from(times.buffer, times.byteOffset, times.byteLength).toString('base64');
}

export function decodeTimes(base64: string): Float64Array {
  const bytes = Buffer.from(base64, 'base64');
  // Copied into a fresh buffer: Float64Array needs 8-byte alignment, a pooled Buffer may lack it.
  return new Float64Array(new Uint8Array(bytes).buffer);
}
