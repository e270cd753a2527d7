import { LatencyRecorder } from '../runner/latency.recorder';
import { nowUs } from './bench-event.contract';

/**
 * What a consumer process saw: for each event, when it was done with it (raw: acked; platform: its
 * effect committed), and — for the measured events — the latency from the time the producer put
 * in the payload. Redeliveries of an event already done are counted, not recorded twice.
 */
export class ConsumedLog {
  /** Per seq, the time it was done; 0 until then. */
  private readonly doneAtUs: Float64Array;
  private done = 0;
  private waiting?: { total: number; resolve: () => void };
  /** Measured events only: payload `at` → done. */
  readonly fromPayload = new LatencyRecorder();
  duplicates = 0;

  constructor(
    private readonly warmupEvents: number,
    private readonly events: number,
  ) {
    this.doneAtUs = new Float64Array(warmupEvents + events);
  }

  record(seq: number, producedAtUs: number): void {
    const at = nowUs();
    if (seq >= this.doneAtUs.length) throw new Error(`event ${seq} was never produced`);
    if (this.doneAtUs[seq] !== 0) {
      this.duplicates++;
      return;
    }
    this.doneAtUs[seq] = at;
    if (seq >= this.warmupEvents) this.fromPayload.recordMs((at - producedAtUs) / 1_000);
    this.done++;
    if (this.waiting && this.done >= this.waiting.total) {
      this.waiting.resolve();
      this.waiting = undefined;
    }
  }

  /** Resolves once `total` distinct events are done (seq 0 … total - 1, in any order). */
  until(total: number): Promise<void> {
    if (this.done >= total) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting = { total, resolve };
    });
  }

  /** Done times of the measured events, index = seq - warm-up events. */
  measuredDoneAtUs(): Float64Array {
    return this.doneAtUs.slice(this.warmupEvents, this.warmupEvents + this.events);
  }
}
