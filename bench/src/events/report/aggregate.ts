import { median } from '../../report/aggregate';
import { type LatencySummary } from '../../runner/latency.recorder';
import { describeVariant, type EventsRunResult, type EventsVariant } from '../process/run-one';

/** One variant summarised over the rounds; each figure is the median of that figure. */
export interface EventsAggregate extends EventsVariant {
  rounds: number;
  throughput: number;
  throughputMin: number;
  throughputMax: number;
  writeThroughput: number;
  stagesMs: { written: number; relayed?: number; done: number };
  latencyUs: LatencySummary;
  fromPayloadUs: LatencySummary;
  scheduleLagP99Us?: number;
  duplicates: number;
  cpuPerEventUs: { producer: number; consumer: number; natsServer?: number; postgres?: number };
  loadAverageMin: number;
  loadAverageMax: number;
}

export function aggregateEvents(results: EventsRunResult[]): EventsAggregate[] {
  const groups = new Map<string, EventsRunResult[]>();
  for (const result of results) {
    const key = describeVariant(result);
    groups.set(key, [...(groups.get(key) ?? []), result]);
  }
  return [...groups.values()].map((runs) => {
    const first = runs[0] as EventsRunResult;
    const pick = (f: (r: EventsRunResult) => number | undefined): number | undefined => {
      const values = runs.map(f).filter((v): v is number => v !== undefined);
      return values.length === 0 ? undefined : median(values);
    };
    const summary = (f: (r: EventsRunResult) => LatencySummary): LatencySummary => ({
      p50: median(runs.map((r) => f(r).p50)),
      p90: median(runs.map((r) => f(r).p90)),
      p99: median(runs.map((r) => f(r).p99)),
      p999: median(runs.map((r) => f(r).p999)),
      max: median(runs.map((r) => f(r).max)),
      mean: median(runs.map((r) => f(r).mean)),
      count: median(runs.map((r) => f(r).count)),
    });
    const throughputs = runs.map((r) => r.throughput);
    const loads = runs.map((r) => r.loadAverage);
    return {
      implementation: first.implementation,
      batch: first.batch,
      ...(first.db === undefined ? {} : { db: first.db }),
      payloadBytes: first.payloadBytes,
      rounds: runs.length,
      throughput: median(throughputs),
      throughputMin: Math.min(...throughputs),
      throughputMax: Math.max(...throughputs),
      writeThroughput: median(runs.map((r) => r.writeThroughput)),
      stagesMs: {
        written: median(runs.map((r) => r.stagesMs.written)),
        relayed: pick((r) => r.stagesMs.relayed),
        done: median(runs.map((r) => r.stagesMs.done)),
      },
      latencyUs: summary((r) => r.latencyUs),
      fromPayloadUs: summary((r) => r.fromPayloadUs),
      scheduleLagP99Us: pick((r) => r.scheduleLagUs?.p99),
      duplicates: runs.reduce((sum, r) => sum + r.duplicates, 0),
      cpuPerEventUs: {
        producer: median(runs.map((r) => r.cpuPerEventUs.producer)),
        consumer: median(runs.map((r) => r.cpuPerEventUs.consumer)),
        natsServer: pick((r) => r.cpuPerEventUs.natsServer),
        postgres: pick((r) => r.cpuPerEventUs.postgres),
      },
      loadAverageMin: Math.min(...loads),
      loadAverageMax: Math.max(...loads),
    };
  });
}

/**
 * Platform ÷ raw, same run: what the guarantees cost in throughput, and in latency; traced ÷
 * platform: what tracing costs.
 */
export interface EventsRatio {
  label: string;
  value: number | undefined;
  /** The least the ratio should be (issue 14: one event per transaction at ≥ 0.25 × raw). */
  atLeast?: number;
}

/** Flat out, platform with one event per producer transaction ÷ raw, events/s: the target. */
export const EVENTS_TX1_TARGET = 0.25;

/** Flat out, traced ÷ untraced platform, events/s: observability may cost at most 10 %. */
export const EVENTS_TRACED_TARGET = 0.9;

/**
 * Flat out: throughput and CPU. At a fixed rate every path moves the same events/s, so CPU and
 * latency are compared instead.
 */
export function eventsRatios(aggregates: EventsAggregate[], fixedRate: boolean): EventsRatio[] {
  return [...guaranteeRatios(aggregates, fixedRate), ...tracingRatios(aggregates, fixedRate)];
}

function guaranteeRatios(aggregates: EventsAggregate[], fixedRate: boolean): EventsRatio[] {
  return aggregates
    .filter((a) => a.implementation === 'platform')
    .flatMap((platform) => {
      // Against raw with the same body size.
      const raw = aggregates.find(
        (a) => a.implementation === 'raw' && a.payloadBytes === platform.payloadBytes,
      );
      return [
        ...(fixedRate
          ? []
          : [
              {
                label: `${describeVariant(platform)} / raw events/s`,
                value: raw ? platform.throughput / raw.throughput : undefined,
                ...(platform.batch === 1 ? { atLeast: EVENTS_TX1_TARGET } : {}),
              },
            ]),
        {
          label: `${describeVariant(platform)} / raw CPU per event`,
          value: raw ? totalCpu(platform) / totalCpu(raw) : undefined,
        },
        // Flat out, latency is mostly the backlog; only at a shared rate does the ratio mean something.
        ...(fixedRate
          ? [
              {
                label: `${describeVariant(platform)} / raw p50 latency`,
                value: raw ? platform.latencyUs.p50 / raw.latencyUs.p50 : undefined,
              },
              {
                label: `${describeVariant(platform)} / raw p99 latency`,
                value: raw ? platform.latencyUs.p99 / raw.latencyUs.p99 : undefined,
              },
            ]
          : []),
      ];
    });
}

/** Traced ÷ untraced platform, the same variant otherwise (tx size, database, body size). */
function tracingRatios(aggregates: EventsAggregate[], fixedRate: boolean): EventsRatio[] {
  return aggregates
    .filter((a) => a.implementation === 'platform-traced')
    .flatMap((traced) => {
      const untraced = aggregates.find(
        (a) =>
          a.implementation === 'platform' &&
          a.batch === traced.batch &&
          a.db === traced.db &&
          a.payloadBytes === traced.payloadBytes,
      );
      return [
        ...(fixedRate
          ? []
          : [
              {
                label: `${describeVariant(traced)} / untraced events/s`,
                value: untraced ? traced.throughput / untraced.throughput : undefined,
                atLeast: EVENTS_TRACED_TARGET,
              },
            ]),
        {
          label: `${describeVariant(traced)} / untraced CPU per event`,
          value: untraced ? totalCpu(traced) / totalCpu(untraced) : undefined,
        },
      ];
    });
}

/** Every process on the path, per event (Postgres only where it could be read). */
export function totalCpu(a: EventsAggregate): number {
  const c = a.cpuPerEventUs;
  return c.producer + c.consumer + (c.natsServer ?? 0) + (c.postgres ?? 0);
}
