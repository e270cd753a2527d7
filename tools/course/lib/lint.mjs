// Lesson 2's checks: the module boundaries as Nx and ESLint see them, run in the workspace the way
// a student runs them (`npx nx …`, `npx eslint …`), so what passes here passes in CI.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckFailed, expect } from './check.mjs';

const BOUNDARY_RULES = new Set(['@nx/enforce-module-boundaries', 'no-restricted-imports']);
const PROBE_FILE = 'libs/bots/src/lib/checkpoint-probe.ts';
const PROBE =
  "import { ChatModule } from '@switchboard/chat';\n\nexport const probe = ChatModule;\n";
const MAX_LISTED = 5;

function run(workspace, command, args, input) {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      {
        cwd: workspace,
        env: { ...process.env, NX_DAEMON: 'false' },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin.end(input);
  });
}

/**
 * The domain libs' tags from Nx's project graph (`nx graph --file`), which also leaves the graph
 * cached where the boundaries rule reads it.
 */
export async function projectGraph(workspace, domains) {
  const folder = mkdtempSync(join(tmpdir(), 'checkpoint-graph-'));
  try {
    const file = join(folder, 'graph.json');
    const result = await run(workspace, 'npx', ['--no', '--', 'nx', 'graph', `--file=${file}`]);
    expect(
      result.code === 0,
      `nx could not compute the project graph: ${(result.stderr || result.stdout).trim().slice(-500)}`,
      'run `npx nx show projects` to see the error; is `npm ci` done?',
    );
    const { nodes } = JSON.parse(readFileSync(file, 'utf8')).graph;
    const tags = {};
    for (const domain of domains) {
      const project = nodes[`${domain}-domain`];
      expect(project, `no project ${domain}-domain in the graph`, `libs/${domain}/project.json`);
      tags[domain] = project.data.tags ?? [];
      expect(
        tags[domain].includes('type:domain') && tags[domain].includes(`scope:${domain}`),
        `${domain}-domain is tagged [${tags[domain].join(', ')}], not type:domain and scope:${domain}`,
        `the tags in libs/${domain}/project.json are what the boundaries rule reads`,
      );
    }
    return tags;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function boundaryProblems(report) {
  return report.flatMap((file) =>
    file.messages
      .filter((message) => BOUNDARY_RULES.has(message.ruleId) && message.severity === 2)
      .map((message) => ({ file: file.filePath, line: message.line, text: message.message })),
  );
}

function parseReport(workspace, result) {
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new CheckFailed(
      `eslint did not run: ${(result.stderr || result.stdout).trim().slice(-500)}`,
      'run it yourself: npx eslint libs/bots/src',
    );
  }
}

/** Lints an import of chat from inside bots (not written anywhere) and expects it refused. */
export async function probeBoundary(workspace) {
  const args = [
    '--no',
    '--',
    'eslint',
    '--format',
    'json',
    '--stdin',
    '--stdin-filename',
    PROBE_FILE,
  ];
  const problems = boundaryProblems(
    parseReport(workspace, await run(workspace, 'npx', args, PROBE)),
  );
  expect(
    problems.length > 0,
    `eslint accepts "import … from '@switchboard/chat'" in ${PROBE_FILE}`,
    "the rule '@nx/enforce-module-boundaries' and its depConstraints are in eslint.config.mjs",
  );
  return problems[0].text.split('\n')[0];
}

/** Lints the domain libs; any boundary crossed fails, naming the file and line. */
export async function lintBoundaries(workspace, domains) {
  const folders = domains.map((domain) => `libs/${domain}/src`);
  const args = ['--no', '--', 'eslint', '--format', 'json', ...folders];
  const report = parseReport(workspace, await run(workspace, 'npx', args));
  const problems = boundaryProblems(report);
  const relative = (file) => file.slice(workspace.length + 1);
  expect(
    problems.length === 0,
    problems
      .slice(0, MAX_LISTED)
      .map((p) => `${relative(p.file)}:${p.line} ${p.text.split('\n')[0]}`)
      .join('\n      '),
    'undo the import of lesson 2 (git diff shows it); domains talk through contracts over NATS',
  );
  return `${report.length} files in ${folders.join(', ')}`;
}
