import { type Tree, updateJson } from '@nx/devkit';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { type ServiceNames } from './names';

/*
 * The places outside its own folders that name every service, each edited where the existing
 * services are named. Every edit finds its anchor or throws, saying which file changed shape: a
 * generator that half-registers a service is worse than one that stops.
 */

/** Replaces the one match of `anchor` in `path`, or throws naming the file. */
export function edit(tree: Tree, path: string, anchor: RegExp, replace: (match: string) => string) {
  const text = tree.read(path, 'utf8');
  if (text === null) throw new Error(`${path} is missing`);
  const matches = text.match(new RegExp(anchor.source, `${anchor.flags.replace('g', '')}g`));
  if (matches?.length !== 1) {
    throw new Error(`${path}: expected one match of ${anchor}, found ${matches?.length ?? 0}`);
  }
  tree.write(path, text.replace(anchor, replace));
}

/** `@switchboard/contracts`: the namespace export and the registry, before the gateway's. */
export function registerContracts(tree: Tree, n: ServiceNames): void {
  edit(
    tree,
    'libs/contracts/src/index.ts',
    /^export \* as Gateway from/m,
    (line) => `export * as ${n.Name} from './lib/${n.name}';\n${line}`,
  );
  edit(
    tree,
    'libs/contracts/src/lib/registry.ts',
    /^import \* as Gateway from/m,
    (line) => `import * as ${n.Name} from './${n.name}';\n${line}`,
  );
  edit(
    tree,
    'libs/contracts/src/lib/registry.ts',
    /, Gateway\] as const;/,
    () => `, ${n.Name}, Gateway] as const;`,
  );
}

/** Path alias, module boundaries and the monolith's reach. */
export function registerWorkspace(tree: Tree, n: ServiceNames): void {
  updateJson(tree, 'tsconfig.base.json', (json) => {
    const paths = {
      ...json.compilerOptions.paths,
      [`@switchboard/${n.name}`]: [`libs/${n.name}/src/index.ts`],
    };
    json.compilerOptions.paths = Object.fromEntries(
      Object.entries(paths).sort(([a], [b]) => a.localeCompare(b)),
    );
    return json;
  });
  edit(
    tree,
    'eslint.config.mjs',
    /^ {2}\{ sourceTag: 'scope:gateway'.*\n/m,
    (line) =>
      `${line}  { sourceTag: 'scope:${n.name}', onlyDependOnLibsWithTags: ['scope:${n.name}', 'scope:shared'] },\n`,
  );
  edit(
    tree,
    'eslint.config.mjs',
    /(sourceTag: 'scope:monolith',[\s\S]*?)( *)'scope:shared',/,
    (match) => match.replace(/( *)'scope:shared',/, `$1'scope:${n.name}',\n$1'scope:shared',`),
  );
}

/** `npm start`'s list, the topologies, and the monolith that can host every domain. */
export function registerHosts(tree: Tree, n: ServiceNames): void {
  const services = 'tools/scripts/lib/services.mjs';
  edit(
    tree,
    services,
    /^ {2}\/\/ The edge, last:/m,
    (line) => `  { name: '${n.name}', port: ${n.port} },\n${line}`,
  );
  edit(tree, services, /^export const DOMAINS = \[(.*)\];/m, (line) =>
    line.replace('];', `, '${n.name}'];`),
  );
  type Topology = { processes: { name: string; host: string; port: number; domains?: string[] }[] };
  const ownProcess = { name: n.name, host: n.name, port: n.port, domains: [n.name] };
  const beforeGateway = (json: Topology) => {
    const gateway = json.processes.findIndex((process) => process.name === 'gateway');
    json.processes.splice(gateway, 0, ownProcess);
    return json;
  };
  updateJson(tree, 'topologies/services.json', beforeGateway);
  updateJson(tree, 'topologies/mixed.json', beforeGateway);
  updateJson(tree, 'topologies/topology.schema.json', (schema) => {
    // The hosts and domains a topology may name: the schema lists them (a test keeps it in step).
    const process = schema.properties.processes.items.properties;
    process.host.enum.splice(process.host.enum.indexOf('monolith'), 0, n.name);
    process.domains.items.enum.push(n.name);
    return schema;
  });
  updateJson(tree, 'topologies/monolith.json', (json: Topology) => {
    json.processes.find((process) => process.host === 'monolith')?.domains?.push(n.name);
    return json;
  });
  const monolith = 'services/monolith/src/main.ts';
  edit(
    tree,
    monolith,
    /^import \{ bootstrapService \}/m,
    (line) => `import { ${n.Name}Domain } from '@switchboard/${n.name}';\n${line}`,
  );
  edit(tree, monolith, /domains: \[(.*)\],/, (line) => line.replace('],', `, ${n.Name}Domain],`));
}

/** The gateway's local routes, the pipeline's deployables and the projects that build them all. */
export function registerDelivery(tree: Tree, n: ServiceNames): void {
  edit(
    tree,
    'libs/gateway/src/lib/gateway.config.ts',
    /^( {2}'chat=http:\/\/127\.0\.0\.1.*)';$/m,
    (line) => line.replace(/';$/, `,${n.name}=http://127.0.0.1:${n.port}';`),
  );
  edit(
    tree,
    'deploy/src/deployable/deployable.ts',
    /^ {2}gateway: 3000,$/m,
    (line) => `  ${n.name}: ${n.port},\n${line}`,
  );
  edit(tree, '.github/workflows/deploy.yml', /options: \[affected, (.*)\]/, (line) => {
    const names = [...line.slice(line.indexOf('affected, ') + 10, -1).split(', '), n.name].sort();
    return `options: [affected, ${names.join(', ')}]`;
  });
  for (const project of ['deploy/project.json', 'bench/project.json', 'infra/project.json']) {
    edit(tree, project, /"projects": \[(.*)"gateway"\]/, (line) =>
      line.replace('"gateway"]', `"${n.name}", "gateway"]`),
    );
  }
}

/** The README's table of messages: one row per subject of the new domain. */
export function documentSubjects(tree: Tree, n: ServiceNames): void {
  const rows = [
    `| \`rpc.${n.name}.get-${n.entity}.v1\` | request/reply | ${n.name} | — | \`{${n.entity}Id}\` → \`{${n.entity}}\` |`,
    `| \`evt.${n.name}.${n.entity}.created.v1\` | event | ${n.name} | — | \`{${n.entity}}\`: a ${n.entity} was stored |`,
  ];
  addMessageRows(tree, rows);
}

/** Appends rows to the README's table of messages (a test checks it lists every subject). */
export function addMessageRows(tree: Tree, rows: readonly string[]): void {
  edit(
    tree,
    'README.md',
    /(^\| subject +\| kind[\s\S]*?)\n\n/m,
    (table) => `${table.trimEnd()}\n${rows.join('\n')}\n\n`,
  );
}

/**
 * `infra/generated/messaging-manifest.json` with what was generated in it, read from the services'
 * sources (no build needed): the deployment's NATS permissions and streams come from it.
 */
export function regenerateManifest(root: string): void {
  execFileSync(
    process.execPath,
    [join(root, 'tools/scripts/messaging-manifest.mjs'), '--from-source'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}
