import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRESET_TIMER } from 'listr2';
import { WorkspaceGraph } from '../plan/workspace-graph';
import { runCommand } from './shell';

/** How `deploy` shows its steps: a live list on a terminal, a line per step in CI logs, each timed. */
export const STEP_LIST_OPTIONS = {
  renderer: 'default',
  fallbackRenderer: 'simple',
  rendererOptions: { timer: PRESET_TIMER },
  fallbackRendererOptions: { timer: PRESET_TIMER },
  exitOnError: true,
} as const;

/**
 * Steps for a listr list that remember which one ran last (what a failure is reported as) and
 * show what each returns next to its title.
 */
export class StepRecorder<Context> {
  current: string;

  constructor(first: string) {
    this.current = first;
  }

  step(title: string, task: (context: Context) => Promise<string | void>) {
    return {
      title,
      task: async (context: Context, wrapper: { title: string }) => {
        this.current = title;
        const detail = await task(context);
        if (detail) wrapper.title = `${title}: ${detail}`;
      },
    };
  }
}

/**
 * The checks step of every target: lint, typecheck and test of the projects the service is built
 * from (itself and all it depends on, in the Nx graph of the release's checkout) that changed
 * since the live release, as `nx affected` counts it — or all of them on a first deploy, or when
 * the live sha is not in this repository.
 */
export async function runChecks(
  root: string,
  service: string,
  sha: string,
  liveSha: string | undefined,
): Promise<string> {
  const dependencies = [...(await graphOf(root)).dependenciesOf(service)].sort();
  let projects = dependencies;
  let scope = 'first deploy: all it is built from';
  if (liveSha !== undefined && liveSha !== sha && (await isCommit(root, liveSha))) {
    const affected = await runCommand(
      'npx',
      ['nx', 'show', 'projects', '--affected', '--base', liveSha, '--head', sha].concat([
        '-p',
        dependencies.join(','),
        '--json',
      ]),
      { cwd: root, capture: true },
    );
    projects = (JSON.parse(affected) as string[]).sort();
    scope = `changed since the live ${liveSha.slice(0, 12)}`;
  }
  if (projects.length === 0) return `nothing ${service} is built from changed since ${liveSha}`;
  const what = `lint, typecheck, test of ${projects.join(', ')} (${scope})`;
  await runCommand(
    'npx',
    ['nx', 'run-many', '-t', 'lint', 'typecheck', 'test', '-p', ...projects],
    {
      cwd: root,
    },
  ).catch((error: Error) => {
    throw new Error(`${what} failed: ${error.message}`);
  });
  return what;
}

/** The Nx project graph of any checkout, through `nx graph --file` run in it. */
async function graphOf(root: string): Promise<WorkspaceGraph> {
  const folder = mkdtempSync(join(tmpdir(), 'deploy-graph-'));
  try {
    const file = join(folder, 'graph.json');
    await runCommand('npx', ['nx', 'graph', `--file=${file}`], { cwd: root });
    const { graph } = JSON.parse(readFileSync(file, 'utf8')) as {
      graph: ConstructorParameters<typeof WorkspaceGraph>[0];
    };
    return new WorkspaceGraph(graph);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

async function isCommit(root: string, sha: string): Promise<boolean> {
  return runCommand('git', ['cat-file', '-e', `${sha}^{commit}`], { cwd: root }).then(
    () => true,
    () => false,
  );
}
