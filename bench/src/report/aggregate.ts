import { type ImplementationName } from '../implementations';
import { describeLoad, type RunResult } from '../process/run-one';
import { type LoadShape } from '../process/protocol';
import { type LatencySummary } from '../runner/latency.recorder';

/** One implementation under one load, summarised over the rounds. */
export interface Aggregate {
  implementation: ImplementationName;
  load: LoadShape;
  rounds: number;
  /** Each figure is the median of that figure over the rounds (robust to one noisy round). */
  throughput: number;
  throughputMin: number;
  throughputMax: number;
  latencyUs: LatencySummary;
  sendLagP50Us?: number;
  sendLagP99Us?: number;
  errors: number;
  cpuPerCallUs: { caller: number; responder?: number; natsServer?: number };
}

export function aggregate(results: RunResult[]): Aggregate[] {
  const groups = new Map<string, RunResult[]>();
  for (const result of results) {
    const key = `${result.implementation} ${describeLoad(result.load)}`;
    groups.set(key, [...(groups.get(key) ?? []), result]);
  }
  return [...groups.values()].map((runs) => {
    const first = runs[0] as RunResult;
    const pick = (f: (r: RunResult) => number | undefined): number | undefined => {
      const values = runs.map(f).filter((v): v is number => v !== undefined);
      return values.length === 0 ? undefined : median(values);
    };
    const throughputs = runs.map((r) => r.throughput);
    return {
      implementation: first.implementation,
      load: first.load,
      rounds: runs.length,
      throughput: median(throughputs),
      throughputMin: Math.min(...throughputs),
      throughputMax: Math.max(...throughputs),
      latencyUs: {
        p50: median(runs.map((r) => r.latencyUs.p50)),
        p90: median(runs.map((r) => r.latencyUs.p90)),
        p99: median(runs.map((r) => r.latencyUs.p99)),
        p999: median(runs.map((r) => r.latencyUs.p999)),
        max: median(runs.map((r) => r.latencyUs.max)),
        mean: median(runs.map((r) => r.latencyUs.mean)),
        count: median(runs.map((r) => r.latencyUs.count)),
      },
      sendLagP50Us: pick((r) => r.sendLagUs?.p50),
      sendLagP99Us: pick((r) => r.sendLagUs?.p99),
      errors: runs.reduce((sum, r) => sum + r.errors, 0),
      cpuPerCallUs: {
        caller: median(runs.map((r) => r.cpuPerCallUs.caller)),
        responder: pick((r) => r.cpuPerCallUs.responder),
        natsServer: pick((r) => r.cpuPerCallUs.natsServer),
      },
    };
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
