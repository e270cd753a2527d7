import { type ContractChanges } from './contract-changes';
import { type MessagingManifest, servicesUsing } from './messaging-manifest';
import { classifyInfraFile, type StackRef } from './stacks';
import { type PlannedTopology } from './topology';
import { type WorkspaceGraph } from './workspace-graph';

/** Why one deployable must be redeployed: a changed file and the dependency path to it. */
export interface Reason {
  file: string;
  /** Projects from the changed one to the deployable, e.g. `platform-runtime → chat-domain → chat`. */
  via: string[];
  /** Set when the reason is a message: the subject that changed and how the service uses it. */
  subject?: string;
  use?: string;
  /** Set when the reason is another export of the contracts that the service's code names. */
  uses?: string;
}

export interface Plan {
  base: string;
  head: string;
  /** The topology planned for: its deployables are the ones redeployed. */
  topology: string;
  /** Deployables to redeploy, by name, with every reason found. */
  services: { name: string; reasons: Reason[] }[];
  /** Deployables the change reaches that the topology does not run (e.g. the monolith). */
  outsideTopology: string[];
  /** Pulumi stacks whose program or config changed. */
  stacks: (StackRef & { files: string[] })[];
  /** Changed files that deploy nothing, with the rule that says so. */
  ignored: { file: string; why: string }[];
}

/**
 * Files outside every project that change what every service's artifact is: dependencies, the
 * compiler settings and the build and image recipes.
 */
const BUILD_WIDE = [
  /^package(-lock)?\.json$/,
  /^tsconfig\.base\.json$/,
  /^nx\.json$/,
  /^tools\/webpack\//,
  /^tools\/docker\//,
  /^\.swcrc/,
];

/** Files that never change an artifact, wherever they are: prose, tests, test config. */
const NEVER_DEPLOYED: { pattern: RegExp; why: string }[] = [
  { pattern: /\.md$/, why: 'documentation' },
  { pattern: /(^|\/)docs\//, why: 'documentation' },
  { pattern: /\.(spec|int-spec|e2e-spec|browser-spec)\.ts$/, why: 'a test' },
  { pattern: /(^|\/)jest\.config\.[cm]?js$|^jest\.preset\.js$/, why: 'test configuration' },
  { pattern: /(^|\/)eslint\.config\.mjs$|^\.prettier/, why: 'lint and format configuration' },
  { pattern: /^\.github\/|^\.ci\//, why: 'CI definitions (they deploy, they are not deployed)' },
  // The build and image recipes under tools/ are build-wide (below); the rest is workspace tooling.
  { pattern: /^tools\/(?!webpack\/|docker\/)/, why: 'workspace tooling, in no artifact' },
  { pattern: /^\.gitignore$|^\.editorconfig$|^\.vscode\//, why: 'editor and git settings' },
];

/** The rule by which a file deploys nothing wherever it is (a doc, a test), if one says so. */
export function neverDeployed(file: string): { why: string } | undefined {
  return NEVER_DEPLOYED.find((rule) => rule.pattern.test(file));
}

export interface PlanInput {
  base: string;
  head: string;
  changedFiles: string[];
  graph: WorkspaceGraph;
  /** The messaging manifest at head, then at base when it had one (a removed subject is still found at base). */
  manifests: MessagingManifest[];
  /** What changed in libs/contracts, export by export; undefined when no contracts file changed. */
  contracts?: ContractChanges;
  /** Every Pulumi stack config in the workspace (see `listStacks`). */
  stacks: StackRef[];
  /** The topology the environment runs (topologies/<name>.json): its hosts, and whose domains. */
  topology: PlannedTopology;
}

/**
 * Which deployables and stacks a change between two commits must redeploy, and why. Pure: the
 * git diff, the Nx graph, the manifests and the contracts comparison are read by the caller.
 *
 * A file inside a project redeploys every deployable that depends on that project (Nx's graph,
 * transitively), except `libs/contracts`, which is narrowed to the services that use a changed
 * message; a file outside every project is classified by the rules above; anything not matched is
 * treated as build-wide, so an unknown file redeploys too much rather than too little.
 */
export function computePlan(input: PlanInput): Plan {
  const reasons = new Map<string, Reason[]>();
  const outside = new Set<string>();
  // A reason found for a domain's own service (`chat`, from the graph or the manifest) belongs, in
  // a topology hosting that domain elsewhere, to the host that carries it (`monolith`).
  const { hosts, hostOfDomain } = input.topology;
  const add = (deployable: string, reason: Reason): void => {
    const service = hosts.has(deployable) ? deployable : hostOfDomain.get(deployable);
    if (service === undefined) {
      outside.add(deployable);
      return;
    }
    const list = reasons.get(service) ?? [];
    if (!list.some((r) => r.file === reason.file && r.subject === reason.subject))
      list.push(reason);
    reasons.set(service, list);
  };
  const ignored: Plan['ignored'] = [];
  const stackFiles = new Map<string, { ref: StackRef; files: string[] }>();
  const deployables = input.graph.deployables();
  const contractsProject = input.graph.projectOfRoot('libs/contracts');

  for (const file of [...new Set(input.changedFiles)].sort()) {
    const never = neverDeployed(file);
    if (never) {
      ignored.push({ file, why: never.why });
      continue;
    }
    if (file.startsWith('infra/')) {
      const stacks = classifyInfraFile(file, input.stacks);
      if (stacks.length === 0) ignored.push({ file, why: 'infrastructure tests and tooling' });
      for (const ref of stacks) {
        const key = `${ref.target}/${ref.stack}`;
        const entry = stackFiles.get(key) ?? { ref, files: [] };
        entry.files.push(file);
        stackFiles.set(key, entry);
      }
      continue;
    }
    const project = input.graph.projectOf(file);
    if (project === undefined || BUILD_WIDE.some((pattern) => pattern.test(file))) {
      const why = BUILD_WIDE.some((pattern) => pattern.test(file))
        ? 'build-wide: dependencies, compiler or build recipe'
        : 'outside every project: unknown, so everything';
      for (const service of deployables) add(service, { file, via: [why] });
      continue;
    }
    if (project === contractsProject && input.contracts !== undefined) {
      // Handled below, export by export, once every contracts file has been seen.
      continue;
    }
    const reached = input.graph.deployablesDependingOn(project);
    if (reached.size === 0) ignored.push({ file, why: `${project} is in no deployable` });
    for (const [service, via] of reached) add(service, { file, via });
  }

  if (input.contracts !== undefined && contractsProject !== undefined) {
    const files = input.changedFiles.filter(
      (file) => input.graph.projectOf(file) === contractsProject,
    );
    const file = files.join(', ');
    const { subjects, exports } = input.contracts;
    for (const subject of subjects) {
      for (const [service, use] of servicesUsing(input.manifests, subject)) {
        if (deployables.has(service)) add(service, { file, via: [contractsProject], subject, use });
      }
    }
    // A changed schema, constant or function that is not a message (an id format, a limit) reaches
    // the services whose code names it, not only those of the messages embedding it.
    for (const { name, usedBy } of exports) {
      for (const project of usedBy) {
        for (const [service, via] of input.graph.deployablesDependingOn(project)) {
          add(service, { file, via: [contractsProject, ...via], uses: name });
        }
      }
    }
    if (subjects.length === 0 && exports.length === 0) {
      for (const changed of files) {
        ignored.push({
          file: changed,
          why: 'contracts: no exported value changed (comments, formatting, types)',
        });
      }
    }
  }

  return {
    base: input.base,
    head: input.head,
    topology: input.topology.name,
    services: [...reasons]
      .map(([name, list]) => ({ name, reasons: list }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    outsideTopology: [...outside].sort(),
    stacks: [...stackFiles.values()]
      .map(({ ref, files }) => ({ ...ref, files }))
      .sort((a, b) => `${a.target}/${a.stack}`.localeCompare(`${b.target}/${b.stack}`)),
    ignored,
  };
}
