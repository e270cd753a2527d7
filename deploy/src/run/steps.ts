import { PRESET_TIMER } from 'listr2';
import { type WorkspaceGraph } from '../plan/workspace-graph';
import { runCommand } from './shell';

/** How `deploy` shows its steps: a live list on a terminal, a line per step in CI logs, each timed. */
export const STEP_LIST_OPTIONS = {
  renderer: 'default',
  fallbackRenderer: 'simple',
  rendererOptions: { timer: PRESET_TIMER },
  fallbackRendererOptions: { timer: PRESET_TIMER },
  exitOnError: true,
} as const;

/** The checks step of every target: lint, typecheck and test of the service and all it depends on. */
export async function runChecks(
  workspaceRoot: string,
  graph: WorkspaceGraph,
  service: string,
): Promise<string> {
  const projects = [...graph.dependenciesOf(service)].sort();
  await runCommand(
    'npx',
    ['nx', 'run-many', '-t', 'lint', 'typecheck', 'test', '-p', ...projects],
    {
      cwd: workspaceRoot,
    },
  );
  return `lint, typecheck, test of ${projects.length} projects`;
}
