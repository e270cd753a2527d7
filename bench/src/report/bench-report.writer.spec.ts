import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarize } from '../runner/latency.recorder';
import { runOpenLoop } from '../runner/open-loop.runner';
import { type BenchReport } from './bench-report';
import { writeBenchReport } from './bench-report.writer';
import { benchEnvironment } from './bench-environment';
import { openLoopBenchRun } from './bench-run.mapper';

describe('writeBenchReport', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bench-report-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores each histogram so that it decodes back to the summary written next to it', async () => {
    // Latencies spread over 1–10 ms, so the percentiles differ from one another.
    const result = await runOpenLoop(
      (index) => new Promise<void>((resolve) => setTimeout(resolve, 1 + (index % 10))),
      { rate: 200, arrival: 'poisson', durationMs: 500 },
    );
    const run = openLoopBenchRun(
      {
        id: 'e2e/post/services/poisson@200',
        scenario: 'post',
        topology: 'services',
        arrival: 'poisson',
        rate: 200,
        warmupMs: 0,
        durationMs: 500,
      },
      result,
    );
    const report: BenchReport = {
      format: 'switchboard-bench/1',
      suite: 'e2e',
      argv: ['--suite', 'e2e'],
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      environment: benchEnvironment({ natsServer: '2.x', workspaceRoot: process.cwd() }),
      runs: [run],
      sweeps: [],
      notes: [],
    };

    const written = await writeBenchReport(report, join(dir, 'nested', 'e2e.json'));
    // The record, then the pages rendered from it next to it.
    expect(written).toEqual(
      ['e2e.json', 'e2e.md', 'e2e.html'].map((name) => join(dir, 'nested', name)),
    );
    const read = JSON.parse(await readFile(written[0] as string, 'utf8')) as BenchReport;

    expect(read.runs).toHaveLength(1);
    for (const stored of read.runs) {
      expect(stored.summary.count).toBe(result.completed);
      expect(stored.summary.p50).toBeLessThan(stored.summary.p99);
      expect(summarize(decodeFromCompressedBase64(stored.histogram))).toEqual(stored.summary);
      const lag = decodeFromCompressedBase64(stored.sendLagHistogram as string);
      expect(lag.totalCount).toBe(stored.completed + stored.errors);
    }
  }, 15_000);
});
