import { type BenchRun } from './bench-report';
import { renderMarkdown } from './render-markdown';
import { formatMs } from './render.model';
import { syntheticReport } from './render.fixture';
import { decodeHistogram } from './verify-report';

/** The cells of the one Markdown table row that mentions every one of `texts`. */
function row(markdown: string, ...texts: string[]): string[] {
  const lines = markdown
    .split('\n')
    .filter((line) => line.startsWith('|') && texts.every((text) => line.includes(text)));
  expect(lines).toHaveLength(1);
  return (lines[0] as string)
    .split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((cell) => cell.trim());
}

describe('renderMarkdown', () => {
  const report = syntheticReport();
  const markdown = renderMarkdown(report);

  it('prints the percentiles of the recorded latencies', () => {
    // Recorded: 500 × 1 ms, 400 × 2 ms, 90 × 5 ms, 9 × 20 ms, 1 × 100 ms.
    expect(row(markdown, 'e2e/post/services/constant@50#1')).toEqual([
      'services',
      '50/s constant',
      '50',
      '1.00',
      '2.00',
      '5.00',
      '20.0',
      '100',
      '0',
      'e2e/post/services/constant@50#1',
    ]);
    // Recorded: 500 × 0.5 ms, 400 × 0.8 ms, 90 × 3 ms, 9 × 12 ms, 1 × 40 ms.
    expect(row(markdown, 'e2e/post/monolith/constant@50#1').slice(3, 8)).toEqual([
      '0.500',
      '0.800',
      '3.00',
      '12.0',
      '40.0',
    ]);
    expect(row(markdown, 'e2e/post/services/constant@50#2')[8]).toBe('3 (0.3 %)');
  });

  it('has a table per scenario with every run, and the send lag where it was recorded', () => {
    expect(markdown).toContain('## Scenario `post`');
    expect(markdown).toContain('## Scenario `echo`');
    const echo = markdown.slice(markdown.indexOf('## Scenario `echo`'));
    for (const offered of ['100', '200', '400', '800', '1,600', '3,200']) {
      expect(echo).toContain(`| monolith · platform       | ${offered}/s poisson`);
    }
    expect(echo).toContain('send lag p99 ms');
    expect(markdown.slice(0, markdown.indexOf('## Scenario `echo`'))).not.toContain('send lag p99');
  });

  it('gives each sweep its knee and the latency at half the knee, from that run', () => {
    const half = report.runs.find((run) => run.id === 'e2e/echo/services/poisson@400') as BenchRun;
    const histogram = decodeHistogram(half.histogram);
    expect(row(markdown, 'services · platform', '5: 100–1,600/s')).toEqual([
      'echo',
      'services · platform',
      '5: 100–1,600/s',
      '800',
      'achieved rate fell below 95 % of 1600/s',
      '400/s poisson',
      '398',
      formatMs(histogram.getValueAtPercentile(50) / 1_000),
      formatMs(histogram.getValueAtPercentile(99) / 1_000),
    ]);
    expect(row(markdown, 'monolith · platform', '6: 100–3,200/s')[3]).toBe('1,600');
  });

  it('describes the environment, the command and the notes', () => {
    expect(markdown).toMatch(/^# Switchboard benchmark: e2e\n\n2025-05-01 · git `3f9c2e1a7b4d`/);
    expect(row(markdown, '| machine')[1]).toBe('2 × AMD EPYC 7B13, 23.5 GiB, Linux 6.1.0 x64');
    expect(row(markdown, '| command')[1]).toBe(
      '`npm run bench -- --suite e2e --sweep --topology services,monolith`',
    );
    expect(row(markdown, '| postgres')[1]).toBe('PostgreSQL 15.20');
    expect(markdown).toContain('- services: p99 at 400/s within the 50 ms target — `PASS`');
  });

  it('says when the machine was busy before the first run', () => {
    const busy = syntheticReport();
    busy.environment.loadAverageAtStart = [3.5, 2, 1];
    expect(row(renderMarkdown(busy), 'load average')[1]).toContain('the machine was busy');
    expect(row(markdown, 'load average')[1]).not.toContain('busy');
  });

  it('refuses a document whose summary was edited, naming the run', () => {
    const tampered = syntheticReport();
    (tampered.runs[7] as BenchRun).summary.p90 *= 0.8;
    expect(() => renderMarkdown(tampered)).toThrow((tampered.runs[7] as BenchRun).id);
  });
});
