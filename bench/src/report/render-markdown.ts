import { type BenchReport } from './bench-report';
import {
  environmentRows,
  HOW_TO_READ,
  runDate,
  scenarioTables,
  shortSha,
  SWEEPS_INTRO,
  sweepTable,
  type Table,
} from './render.model';
import { assertRenderable } from './verify-report';

/**
 * The report as Markdown: environment, one table per scenario, the sweeps' knees, the notes —
 * for a pull request or docs/benchmarks.md. Throws, naming the runs, when a summary does not match
 * its histogram.
 */
export function renderMarkdown(report: BenchReport): string {
  assertRenderable(report);
  const out: string[] = [
    `# Switchboard benchmark: ${report.suite}`,
    '',
    `${runDate(report)} · git \`${shortSha(report)}\``,
    '',
    HOW_TO_READ,
    '',
    '## Environment',
    '',
    ...markdownTable({
      header: ['', ''],
      align: ['left', 'left'],
      rows: environmentRows(report).map(([label, value]) => [
        label,
        label === 'command' ? `\`${value}\`` : value,
      ]),
    }),
  ];
  for (const { scenario, table } of scenarioTables(report)) {
    out.push('', `## Scenario \`${scenario}\``, '', ...markdownTable(table));
  }
  const sweeps = sweepTable(report);
  if (sweeps) {
    out.push('', '## Sweeps', '', SWEEPS_INTRO, '', ...markdownTable(sweeps));
  }
  if (report.notes.length > 0) {
    out.push('', '## Notes', '', ...report.notes.map((note) => `- ${note}`));
  }
  return `${out.join('\n')}\n`;
}

/** A GitHub-flavoured table, padded so it also reads as plain text. */
export function markdownTable(table: Table): string[] {
  const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const header = table.header.map(cell);
  const rows = table.rows.map((row) => row.map(cell));
  const widths = header.map((h, i) =>
    Math.max(3, h.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    `| ${cells
      .map((text, i) =>
        table.align[i] === 'right' ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0),
      )
      .join(' | ')} |`;
  const rule = `| ${widths
    .map((width, i) =>
      table.align[i] === 'right' ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width),
    )
    .join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)];
}
