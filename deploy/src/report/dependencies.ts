import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import * as ts from 'typescript';
import { LOADED_AT_RUN_TIME } from '../deployable/deployable';

/** A package in a deployable's generated package.json or lockfile, as the release report shows it. */
export interface RuntimeDependency {
  name: string;
  version: string;
  /** The `license` npm recorded in package-lock.json, when the package declares one. */
  license?: string;
  /** npm runs an install script for it (`hasInstallScript` in package-lock.json). */
  installScript: boolean;
  /** That script builds or fetches a native addon (see NATIVE_BUILD_HELPERS). */
  native: boolean;
}

/** What `nx build <deployable>` would write into its package.json and package-lock.json. */
export interface RuntimeDependencies {
  /** The generated package.json's `dependencies`, sorted by name. */
  direct: RuntimeDependency[];
  /** Every other package of the generated lockfile, once per name@version, sorted. */
  transitive: RuntimeDependency[];
}

export interface DependencyChanges {
  added: RuntimeDependency[];
  removed: RuntimeDependency[];
  /** Direct dependencies whose version, licence, install script or nativeness changed. */
  changed: { name: string; from: RuntimeDependency; to: RuntimeDependency }[];
  transitive: { added: RuntimeDependency[]; removed: RuntimeDependency[] };
}

type Names = Record<string, string>;
interface LockEntry {
  version?: string;
  license?: string;
  hasInstallScript?: boolean;
  dependencies?: Names;
  optionalDependencies?: Names;
  peerDependencies?: Names;
}
type Lockfile = { packages: Record<string, LockEntry> };
type Manifest = { dependencies?: Names; devDependencies?: Names };
type PruneLockfile = (lock: Lockfile, name: string, version: string, deps: Names) => Lockfile;

/**
 * Native: an install script, and a dependency (or optional one) whose only use is building or
 * loading an addon (better-sqlite3: prebuild-install, bindings). Judged from the lockfile alone,
 * never from an installed folder (a binding.gyp on disk): a base commit has no node_modules, and a
 * package must be judged alike at both commits. A bare binding.gyp is only an install script.
 */
const NATIVE_BUILD_HELPERS = new Set(
  'bindings cmake-js nan node-addon-api node-gyp node-gyp-build prebuild-install'.split(' '),
);

/**
 * The runtime dependencies `nx build <deployable>` would ship, from the tree at `root` without
 * building: what DeployManifestPlugin (tools/webpack/service.webpack.js) writes.
 */
export function runtimeDependenciesOf(root: string, deployable: string): RuntimeDependencies {
  const main = join(root, 'services', deployable, 'src', 'main.ts');
  if (!existsSync(main)) throw new Error(`${deployable}: no services/${deployable}/src/main.ts`);
  const options = compilerOptionsOf(join(root, 'services', deployable, 'tsconfig.app.json'));
  const manifest = readJson<Manifest>(join(root, 'package.json'));
  const lock = readJson<Lockfile>(join(root, 'package-lock.json'));
  const listed = packagesNxLists(root, `services/${deployable}`, options, manifest, lock);
  const names = new Set(packagesRequiredFrom(main, options));
  for (const name of LOADED_AT_RUN_TIME) if (listed.has(name)) names.add(name);
  // Nx writes the version installed at the root, as the lockfile records it.
  const versions = Object.fromEntries(
    [...names].sort().map((name) => [name, lock.packages[`node_modules/${name}`]?.version ?? '']),
  );
  const { packages } = pruneLockfile()(lock, deployable, '0.0.1', versions);
  const direct = Object.keys(versions).map((name) =>
    dependencyOf(`node_modules/${name}`, packages[`node_modules/${name}`] ?? {}),
  );
  const transitive = new Map(
    Object.entries(packages)
      .filter(([path]) => path !== '')
      .map(([path, entry]) => dependencyOf(path, entry))
      .map((dependency) => [keyOf(dependency), dependency] as const),
  );
  for (const dependency of direct) transitive.delete(keyOf(dependency));
  return { direct, transitive: [...transitive.values()].sort(byNameAndVersion) };
}

/** The changes between a deployable's dependencies at two commits (`undefined`: it did not exist). */
export function diffDependencies(
  before: RuntimeDependencies | undefined,
  after: RuntimeDependencies | undefined,
): DependencyChanges {
  const old = new Map((before?.direct ?? []).map((dependency) => [dependency.name, dependency]));
  const now = new Map((after?.direct ?? []).map((dependency) => [dependency.name, dependency]));
  const missingFrom = (list: RuntimeDependency[] | undefined) => {
    const keys = new Set((list ?? []).map(keyOf));
    return (dependency: RuntimeDependency) => !keys.has(keyOf(dependency));
  };
  return {
    added: [...now.values()].filter(({ name }) => !old.has(name)).sort(byNameAndVersion),
    removed: [...old.values()].filter(({ name }) => !now.has(name)).sort(byNameAndVersion),
    changed: [...now.values()].sort(byNameAndVersion).flatMap((to) => {
      const from = old.get(to.name);
      const same = from === undefined || JSON.stringify(from) === JSON.stringify(to);
      return same ? [] : [{ name: to.name, from, to }];
    }),
    transitive: {
      added: (after?.transitive ?? []).filter(missingFrom(before?.transitive)),
      removed: (before?.transitive ?? []).filter(missingFrom(after?.transitive)),
    },
  };
}

/**
 * What main.js requires: the files webpack reaches from main.ts, each transpiled as ts-loader does
 * (transpile only), so an import used only as a type is gone and a class named in a decorated
 * constructor stays (design:paramtypes). Nx leaves every bare specifier no tsconfig path maps
 * external, as `require("<specifier>")`.
 */
function packagesRequiredFrom(main: string, options: ts.CompilerOptions): string[] {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const queue = [main];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file) || file.endsWith('.json')) continue;
    seen.add(file);
    for (const specifier of requiresOf(file, readFileSync(file, 'utf8'), options)) {
      const target = resolveInTree(specifier, file, options);
      if (target !== undefined) queue.push(target);
      else if (isPackage(specifier)) packages.add(packageName(specifier));
    }
  }
  return [...packages];
}

/** The compiler options that decide which imports a transpile keeps (not paths, not strictness). */
const EMIT_OPTIONS = [
  ...['target', 'experimentalDecorators', 'emitDecoratorMetadata', 'useDefineForClassFields'],
  ...['verbatimModuleSyntax', 'esModuleInterop', 'jsx'],
] as const;

/**
 * Transpiling is most of the cost (a program per file), and the deployables of a commit, and the
 * two commits of a report, share most files: the specifiers are remembered per source text.
 */
const transpiled = new Map<string, string[]>();

/** The specifiers of the `require(…)` calls a transpile-only build emits for a file. */
function requiresOf(file: string, source: string, options: ts.CompilerOptions): string[] {
  const compilerOptions: ts.CompilerOptions = {
    ...Object.fromEntries(EMIT_OPTIONS.map((name) => [name, options[name]])),
    module: ts.ModuleKind.CommonJS,
    // A `require("…")` quoted in a comment is no import.
    removeComments: true,
  };
  const fileName = `module${extname(file)}`;
  const key = `${JSON.stringify(compilerOptions)}\0${fileName}\0${source}`;
  if (!transpiled.has(key)) {
    const { outputText } = ts.transpileModule(source, { compilerOptions, fileName });
    const calls = outputText.matchAll(/\brequire\((["'])([^"'\n]+)\1\)/g);
    transpiled.set(
      key,
      [...calls].map(([, , specifier = '']) => specifier),
    );
  }
  return transpiled.get(key) ?? [];
}

/**
 * The packages Nx's GeneratePackageJsonPlugin lists, before DeployManifestPlugin keeps only what
 * main.js requires and LOADED_AT_RUN_TIME. Nx reads the project graph, not the bundle: every npm
 * package imported (type-only imports too) by a production file (nx.json's `production` input: no
 * specs, no test/) of the project or of a project those files import (a relative `require` too: a
 * service's webpack.config.js reaches tools/), root devDependencies left out; then, transitively,
 * their peers that the root package.json has as dependencies (typeorm's `pg`, `better-sqlite3`;
 * nestjs-pino's `pino`, `pino-http`).
 */
function packagesNxLists(
  root: string,
  project: string,
  options: ts.CompilerOptions,
  manifest: Manifest,
  lock: Lockfile,
): Set<string> {
  const files = filesUnder(root, '');
  const projects = files
    .filter((file) => file.endsWith('/project.json'))
    .map((file) => dirname(file))
    .sort((a, b) => b.length - a.length);
  const projectOf = (file: string) => projects.find((folder) => file.startsWith(`${folder}/`));
  const excluded = productionExclusions(root);
  const imported = new Set<string>();
  const reached = new Set<string>();
  const pending = [project];
  for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
    if (reached.has(current)) continue;
    reached.add(current);
    const sources = files.filter(
      (file) =>
        /\.[cm]?[jt]sx?$/.test(file) &&
        !file.endsWith('.d.ts') &&
        projectOf(file) === current &&
        !excluded(file.slice(current.length + 1)),
    );
    for (const file of sources) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const { fileName: specifier } of ts.preProcessFile(text, true, true).importedFiles) {
        const target = resolveInTree(specifier, join(root, file), options);
        const other = target && projectOf(relative(root, target).split(sep).join('/'));
        if (target === undefined && isPackage(specifier)) imported.add(packageName(specifier));
        else if (other !== undefined && other !== current) pending.push(other);
      }
    }
  }
  const installed = (name: string) => lock.packages[`node_modules/${name}`] !== undefined;
  const listed = new Set(
    [...imported].filter((name) => installed(name) && !manifest.devDependencies?.[name]),
  );
  // A package Nx saw imported (a devDependency too) is never taken again as a peer.
  const seen = new Set(imported);
  const queue = [...listed];
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    const peers = Object.keys(lock.packages[`node_modules/${name}`]?.peerDependencies ?? {});
    for (const peer of peers.filter((peer) => installed(peer) && !seen.has(peer))) {
      seen.add(peer);
      queue.push(peer);
      if (manifest.dependencies?.[peer] !== undefined) listed.add(peer);
    }
  }
  return listed;
}

/** The deployable's tsconfig chain as ts-loader reads it (decorator metadata: tsconfig.base.json). */
function compilerOptionsOf(tsconfig: string): ts.CompilerOptions {
  const { config } = ts.readConfigFile(tsconfig, ts.sys.readFile) as { config: unknown };
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, dirname(tsconfig));
  // webpack resolves .js files too; TypeScript only with allowJs.
  return { ...options, allowJs: true };
}

/**
 * The file in the tree an import names (relative, or a tsconfig path alias), resolved as
 * TypeScript does; `undefined` for a package, a builtin or what does not resolve. A bare specifier
 * no alias matches is never looked up: a tree without node_modules would find the workspace's.
 */
function resolveInTree(specifier: string, from: string, options: ts.CompilerOptions) {
  const aliased = Object.keys(options.paths ?? {}).some((pattern) => {
    const [prefix = '', suffix] = pattern.split('*');
    return suffix === undefined
      ? pattern === specifier
      : specifier.startsWith(prefix) && specifier.endsWith(suffix);
  });
  if (!aliased && !/^[./]/.test(specifier)) return undefined;
  const resolved = ts.resolveModuleName(specifier, from, options, ts.sys).resolvedModule;
  if (resolved === undefined || resolved.isExternalLibraryImport) return undefined;
  return resolved.resolvedFileName.endsWith('.d.ts') ? undefined : resolved.resolvedFileName;
}

function isPackage(specifier: string): boolean {
  return !/^(\.|\/|node:)/.test(specifier) && !builtinModules.includes(specifier);
}

/** `@scope/name/deep/path` → `@scope/name`, `name/deep` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return parts.slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
}

/** The package installed at `path` of a lockfile, with what npm recorded about it. */
function dependencyOf(path: string, entry: LockEntry): RuntimeDependency {
  const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const installScript = entry.hasInstallScript === true;
  const uses = Object.keys({ ...entry.dependencies, ...entry.optionalDependencies });
  const native = installScript && uses.some((used) => NATIVE_BUILD_HELPERS.has(used));
  const license = entry.license === undefined ? {} : { license: entry.license };
  return { name, version: entry.version ?? '', ...license, installScript, native };
}

/** DeployManifestPlugin's own pruning, loaded by path: tools/ is no project deploy may import. */
function pruneLockfile(): PruneLockfile {
  const module = join(__dirname, '..', '..', '..', 'tools', 'webpack', 'pruned-lockfile.js');
  return (require(module) as { prunedLockfile: PruneLockfile }).prunedLockfile;
}

/** nx.json's `production` input: whether a path relative to a project root is left out of it. */
function productionExclusions(root: string): (path: string) => boolean {
  const nx = readJson<{ namedInputs?: Record<string, unknown[]> }>(join(root, 'nx.json'));
  const wildcards: Record<string, string> = { '**/': '(?:.*/)?', '**': '.*', '*': '[^/]*' };
  const patterns = (nx.namedInputs?.['production'] ?? [])
    .filter((input): input is string => String(input).startsWith('!{projectRoot}/'))
    .map((input) => input.slice('!{projectRoot}/'.length).split(/(\*\*\/|\*\*|\*)/))
    .map((parts) =>
      parts.map((part) => wildcards[part] ?? part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')),
    )
    .map((parts) => new RegExp(`^${parts.join('')}$`));
  return (path) => patterns.some((pattern) => pattern.test(path));
}

/** Folders git does not track here (.gitignore) and Nx therefore never sees. */
const UNTRACKED = new Set(['node_modules', 'dist', 'tmp', 'coverage']);

/** Every file under `folder` of `root`, as a posix path relative to `root`; no hidden folders. */
function filesUnder(root: string, folder: string): string[] {
  return readdirSync(join(root, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = folder === '' ? entry.name : `${folder}/${entry.name}`;
    if (!entry.isDirectory()) return [path];
    return entry.name.startsWith('.') || UNTRACKED.has(entry.name) ? [] : filesUnder(root, path);
  });
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function keyOf({ name, version }: RuntimeDependency): string {
  return `${name}@${version}`;
}

function byNameAndVersion(a: RuntimeDependency, b: RuntimeDependency): number {
  return a.name.localeCompare(b.name) || a.version.localeCompare(b.version);
}
