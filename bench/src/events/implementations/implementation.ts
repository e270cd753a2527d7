import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { LatencyRecorder } from '../../runner/latency.recorder';
import { type ConsumedLog } from '../consumed.log';

/** When a producer's events left it, on the shared monotonic clock (µs, see `nowUs`). */
export interface ProduceTimes {
  /** Just before the first publish (raw) or the first transaction began (platform). */
  startedAtUs: number;
  /** The last PubAck arrived (raw), the last transaction committed (platform). */
  writtenAtUs: number;
  /** Platform only: the relay had published every event written (the outbox was empty again). */
  relayedAtUs?: number;
  /**
   * Platform only: per event (index = seq - first seq), when the transaction that wrote it
   * committed — the moment the event became a fact. Raw events carry their publish time instead.
   */
  committedAtUs?: Float64Array;
  /** Fixed rate only: how late each publish / transaction started against its schedule. */
  scheduleLag?: LatencyRecorder;
}

/** The publishing side of one implementation, running in its own process. */
export interface EventsProducer {
  /**
   * Produces events `from` … `from + count - 1` as fast as its in-flight limit allows and resolves
   * once every one of them is written (and, for the platform, relayed).
   */
  produce(from: number, count: number): Promise<ProduceTimes>;
  stop(): Promise<void>;
}

/** The consuming side, running in its own process; it reports every handled event to the log. */
export interface EventsConsumer {
  stop(): Promise<void>;
}

export interface ProducerSettings {
  natsUrl: string;
  /** Platform only: the producing service's own database. */
  databaseUrl?: string;
  /** Raw: publishes awaiting their PubAck at once. */
  window: number;
  /** Platform: events written per transaction. */
  batch: number;
  /** Each event's JSON body, bytes. */
  payloadBytes: number;
  /** Platform: transactions running at once (as concurrent requests of a service would). */
  transactions: number;
  /**
   * Events per second on a fixed schedule instead of as fast as the in-flight limit allows; each
   * publish (raw) or transaction (platform) starts when it is due, however many are in flight.
   */
  rate?: number;
}

export interface ConsumerSettings {
  natsUrl: string;
  /** Platform only: the consuming service's own database. */
  databaseUrl?: string;
  log: ConsumedLog;
}

/** One way of moving events from one service to another, measured with the same events. */
export interface EventsImplementation {
  startProducer(settings: ProducerSettings): Promise<EventsProducer>;
  /** Starts consuming; the durable consumer exists once this resolves. */
  startConsumer(settings: ConsumerSettings): Promise<EventsConsumer>;
}

export const EVENTS_IMPLEMENTATION_NAMES = ['raw', 'platform', 'platform-traced'] as const;
/** What runs without `--impl`: tracing's cost is measured on request (`--impl platform,platform-traced`). */
export const DEFAULT_EVENTS_IMPLEMENTATIONS: readonly EventsImplementationName[] = ['raw', 'platform'];
export type EventsImplementationName = (typeof EVENTS_IMPLEMENTATION_NAMES)[number];

export function isEventsImplementationName(value: string): value is EventsImplementationName {
  return (EVENTS_IMPLEMENTATION_NAMES as readonly string[]).includes(value);
}

/**
 * Runs `count` units of work (a publish, a transaction of `eventsPerUnit` events) either as fast as
 * `lanes` in flight allow or, with a `rate` (events/s), on a fixed schedule; returns the schedule's
 * lag in the second case.
 */
export async function produceUnits(
  count: number,
  eventsPerUnit: number,
  pace: { lanes: number; rate?: number },
  work: (unit: number) => Promise<void>,
): Promise<LatencyRecorder | undefined> {
  if (pace.rate === undefined) {
    await inLanes(count, pace.lanes, work);
    return undefined;
  }
  return onSchedule(count, pace.rate / eventsPerUnit, work);
}

/**
 * Runs `count` units of work with at most `lanes` in flight: each lane takes the next unit as soon
 * as its previous one is done (a closed loop, like the RPC suite's workers).
 */
export async function inLanes(
  count: number,
  lanes: number,
  work: (unit: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let unit = next++; unit < count; unit = next++) await work(unit);
  };
  await Promise.all(Array.from({ length: Math.min(lanes, count) }, lane));
}

/**
 * Open loop: unit i is due at start + i / unitsPerSecond and starts then, whatever is still in
 * flight, so a slow path shows as a growing backlog instead of a slower producer. Timers drive the
 * schedule (~1 ms granularity); the lag of every start behind its due time is recorded.
 */
export async function onSchedule(
  count: number,
  unitsPerSecond: number,
  work: (unit: number) => Promise<void>,
): Promise<LatencyRecorder> {
  const lag = new LatencyRecorder();
  const intervalMs = 1_000 / unitsPerSecond;
  const pending = new Set<Promise<void>>();
  let failure: unknown;
  const start = performance.now();
  for (let unit = 0; unit < count;) {
    const now = performance.now();
    while (unit < count && start + unit * intervalMs <= now) {
      lag.recordMs(now - (start + unit * intervalMs));
      const running = work(unit).catch((error: unknown) => {
        failure ??= error;
      });
      pending.add(running);
      void running.finally(() => pending.delete(running));
      unit++;
    }
    if (failure !== undefined) break;
    if (unit < count) await sleep(Math.max(0, start + unit * intervalMs - performance.now()));
  }
  await Promise.all([...pending]);
  if (failure !== undefined) throw failure;
  return lag;
}
