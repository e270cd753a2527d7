import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { type Arrival } from '../runner/arrival.schedule';
import { summarize } from '../runner/latency.recorder';
import { type OpenLoopResult } from '../runner/open-loop.runner';
import { type BenchRun } from './bench-report';

export interface OpenLoopRunMeta {
  id: string;
  scenario: string;
  topology?: string;
  implementation?: string;
  payloadBytes?: number;
  arrival: Arrival;
  /** The nominal offered rate. */
  rate: number;
  warmupMs: number;
  durationMs: number;
  cpuPerOpUs?: Record<string, number>;
}

/**
 * One open-loop window as a report run. Operations that never finished within the drain time
 * count as errors: to a user, no answer is a failure.
 *
 * The summary is computed from the stored histogram decoded again, not from the live one: a live
 * histogram keeps the exact maximum, the encoding only its bucket (0.1 %), and a reader
 * recomputing the figures from the JSON must get the very numbers written next to it.
 */
export function openLoopBenchRun(meta: OpenLoopRunMeta, result: OpenLoopResult): BenchRun {
  const histogram = result.latency.encode();
  return {
    id: meta.id,
    scenario: meta.scenario,
    topology: meta.topology,
    implementation: meta.implementation,
    payloadBytes: meta.payloadBytes,
    arrival: meta.arrival,
    offered: meta.rate,
    achievedRate: result.achievedRate,
    sentRate: result.sentRate,
    warmupMs: meta.warmupMs,
    durationMs: meta.durationMs,
    completed: result.completed,
    errors: result.errors + result.lost,
    histogram,
    summary: summarize(decodeFromCompressedBase64(histogram)),
    sendLagHistogram: result.sendLag.encode(),
    cpuPerOpUs: meta.cpuPerOpUs,
  };
}
