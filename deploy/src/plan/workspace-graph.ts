import { createProjectGraphAsync, type ProjectGraph } from '@nx/devkit';

/** The folder deployables live in: every project under it is shipped on its own. */
const DEPLOYABLES_ROOT = 'services/';

/**
 * Nx's project graph, asked the questions a deploy plan needs: which project a file belongs to,
 * which projects are deployables, and which deployables depend on a project (and through what).
 */
export class WorkspaceGraph {
  private readonly roots: { name: string; root: string }[];
  private readonly dependents = new Map<string, Set<string>>();
  private readonly dependencies = new Map<string, Set<string>>();
  private readonly deployableNames: string[];

  constructor(private readonly graph: ProjectGraph) {
    this.roots = Object.values(graph.nodes)
      .map((node) => ({ name: node.name, root: node.data.root }))
      // Longest root first: a file belongs to the innermost project that contains it.
      .sort((a, b) => b.root.length - a.root.length);
    this.deployableNames = this.roots
      .filter(({ root }) => root.startsWith(DEPLOYABLES_ROOT))
      .map(({ name }) => name);
    for (const [source, edges] of Object.entries(graph.dependencies)) {
      for (const edge of edges) {
        if (!(edge.target in graph.nodes)) continue; // npm packages
        const set = this.dependents.get(edge.target) ?? new Set<string>();
        set.add(source);
        this.dependents.set(edge.target, set);
        const forward = this.dependencies.get(source) ?? new Set<string>();
        forward.add(edge.target);
        this.dependencies.set(source, forward);
      }
    }
  }

  /** Reads the graph of the workspace in the current directory (Nx's cache, or computes it). */
  static async load(): Promise<WorkspaceGraph> {
    return new WorkspaceGraph(await createProjectGraphAsync({ exitOnError: false }));
  }

  projectOf(file: string): string | undefined {
    return this.roots.find(
      ({ root }) => root !== '.' && (file === root || file.startsWith(`${root}/`)),
    )?.name;
  }

  projectOfRoot(root: string): string | undefined {
    return this.roots.find((entry) => entry.root === root)?.name;
  }

  rootOf(project: string): string {
    const root = this.graph.nodes[project]?.data.root;
    if (root === undefined) throw new Error(`No project "${project}" in the Nx graph`);
    return root;
  }

  deployables(): Set<string> {
    return new Set(this.deployableNames);
  }

  /**
   * Every deployable that is `project` or depends on it, with the shortest path from `project` to
   * it (breadth-first over the reversed graph, including implicit dependencies).
   */
  deployablesDependingOn(project: string): Map<string, string[]> {
    const paths = new Map<string, string[]>([[project, [project]]]);
    const queue = [project];
    while (queue.length > 0) {
      const current = queue.shift() as string;
      for (const next of [...(this.dependents.get(current) ?? [])].sort()) {
        if (paths.has(next)) continue;
        paths.set(next, [...(paths.get(current) as string[]), next]);
        queue.push(next);
      }
    }
    return new Map([...paths].filter(([name]) => this.deployableNames.includes(name)));
  }

  /** `project` and every project it depends on, transitively: what its checks must cover. */
  dependenciesOf(project: string): Set<string> {
    const seen = new Set<string>([project]);
    const queue = [project];
    while (queue.length > 0) {
      for (const next of this.dependencies.get(queue.shift() as string) ?? []) {
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    return seen;
  }
}
