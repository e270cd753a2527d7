import { type BenchReport, type BenchRun } from './bench-report';
import { KNOWN_POST, syntheticReport } from './render.fixture';
import { assertRenderable, decodeHistogram, verifyReport } from './verify-report';

const KNOWN_RUN = 'e2e/post/services/constant@50#1';
const SWEEP_RUN = 'e2e/echo/monolith/poisson@800';

function edited(change: (run: BenchRun) => void, id: string): BenchReport {
  const report = syntheticReport();
  const run = report.runs.find((r) => r.id === id);
  if (!run) throw new Error(`no run ${id}`);
  change(run);
  return report;
}

describe('verifyReport', () => {
  it('finds nothing wrong in a document written from its own histograms', () => {
    expect(verifyReport(syntheticReport())).toEqual([]);
  });

  it('names the run and the figure whose summary was tampered with', () => {
    const report = edited((run) => (run.summary.p99 *= 1.01), SWEEP_RUN);
    expect(verifyReport(report)).toEqual([
      expect.objectContaining({ runId: SWEEP_RUN, field: 'p99' }),
    ]);
  });

  it('accepts any value within the histogram bucket, as another writer may report it', () => {
    const report = edited((run) => {
      // The lowest value of p99's bucket instead of hdr-histogram-js's highest.
      const histogram = decodeHistogram(run.histogram);
      run.summary.p99 = histogram.lowestEquivalentValue(histogram.getValueAtPercentile(99)) / 1_000;
    }, SWEEP_RUN);
    expect(verifyReport(report)).toEqual([]);
  });

  it('checks count, max and mean too', () => {
    const report = edited((run) => {
      run.summary.count += 1;
      run.summary.max = 50_000;
      run.summary.mean *= 2;
    }, KNOWN_RUN);
    expect(verifyReport(report).map((m) => `${m.runId} ${m.field}`)).toEqual([
      `${KNOWN_RUN} max`,
      `${KNOWN_RUN} mean`,
      `${KNOWN_RUN} count`,
    ]);
    // The known run's slowest operation was 100 ms.
    expect(verifyReport(report).find((m) => m.field === 'max')?.recomputed).toBeCloseTo(
      KNOWN_POST.services[4][0] * 1_000,
      -2,
    );
  });

  it('reports a histogram that cannot be decoded', () => {
    const report = edited((run) => (run.histogram = 'bm90IGEgaGlzdG9ncmFt'), KNOWN_RUN);
    expect(verifyReport(report)).toEqual([
      expect.objectContaining({ runId: KNOWN_RUN, field: 'histogram' }),
    ]);
  });
});

describe('assertRenderable', () => {
  it('throws naming every run whose summary does not match', () => {
    const report = edited((run) => (run.summary.p50 /= 2), KNOWN_RUN);
    const other = report.runs.find((run) => run.id === SWEEP_RUN) as BenchRun;
    other.summary.p999 += 10_000;
    expect(() => assertRenderable(report)).toThrow(
      new RegExp(`2 run\\(s\\) do not match their histograms: ${KNOWN_RUN}, ${SWEEP_RUN}`),
    );
  });

  it('refuses an unknown format, duplicate run ids and sweeps naming missing runs', () => {
    const future = {
      ...syntheticReport(),
      format: 'switchboard-bench/2',
    } as unknown as BenchReport;
    expect(() => assertRenderable(future)).toThrow(
      /unknown bench report format "switchboard-bench\/2"/,
    );

    const duplicated = syntheticReport();
    duplicated.runs.push({ ...(duplicated.runs[0] as BenchRun) });
    expect(() => assertRenderable(duplicated)).toThrow(
      /not unique: e2e\/post\/services\/constant@50#1/,
    );

    const dangling = syntheticReport();
    dangling.sweeps[0]?.runs.push('e2e/echo/services/poisson@3200');
    expect(() => assertRenderable(dangling)).toThrow(/e2e\/echo\/services\/poisson@3200/);
  });
});
