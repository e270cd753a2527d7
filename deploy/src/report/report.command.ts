import { type BreakingChange } from '@switchboard/contracts';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { UsageError } from '../cli/usage-error';
import { resolveCommit } from '../plan/git';
import { computePlan, neverDeployed, type PlanInput } from '../plan/plan';
import { MANIFEST, planInputs } from '../plan/plan.command';
import { measuredLoadOf, newestBenchReport, readBenchReport } from './bench-load';
import { type ConfigKey, configKeysIn, diffConfigKeys } from './config-keys';
import { diffDependencies, runtimeDependenciesOf } from './dependencies';
import { hostEntry, messagingChanges, permissionRuleAt } from './messaging-changes';
import { natsPermissionsFor } from '@switchboard/infra';
import { isMigrationFile, migrationRisks } from './migrations';
import { attentionOf, type ChangeReport, type ContractChange, type ServiceReport } from './report';
import { type RequiredSecret, requiredSecrets, stackResourcesOf } from './stack-facts';

const run = promisify(execFile);

export interface ReportOptions {
  base?: string;
  head?: string;
  topology?: string;
  /** A `switchboard-bench/1` e2e report; default the newest `dist/bench/e2e-*.json`. */
  bench?: string;
}

/**
 * `deploy report --base <ref> [--head <ref>]`: the deploy plan, and for each deployable it
 * redeploys what operations needs to know — dependencies, messaging and NATS rights, contracts,
 * migrations, configuration, expected load. Head is the working tree (checked out, as for the
 * plan); base is taken from git (`git archive`) into `.switchboard/report/<sha>/` and removed
 * afterwards. None of base's code runs: its files are read, and its contracts loaded as data.
 */
export async function reportCommand(
  workspaceRoot: string,
  options: ReportOptions,
): Promise<ChangeReport> {
  if (options.base === undefined || options.base.trim() === '') {
    throw new UsageError(
      '--base <ref> is required: the commit the report compares with (the one deployed).',
    );
  }
  const base = await resolveCommit(workspaceRoot, options.base, '--base');
  const bench = benchmarkOf(workspaceRoot, options.bench);
  const baseRoot = join(workspaceRoot, '.switchboard', 'report', base);
  rmSync(baseRoot, { recursive: true, force: true });
  mkdirSync(baseRoot, { recursive: true });
  try {
    const archive = join(baseRoot, '..', `${base}.tar`);
    await run('git', ['archive', '--output', archive, base], { cwd: workspaceRoot });
    await run('tar', ['-xf', archive, '-C', baseRoot]);
    rmSync(archive);
    const input = await planInputs(workspaceRoot, { ...options, base }, () => ({
      head: join(workspaceRoot, MANIFEST),
      ...(existsSync(join(baseRoot, MANIFEST)) ? { base: join(baseRoot, MANIFEST) } : {}),
    }));
    return await assemble(workspaceRoot, baseRoot, input, bench);
  } finally {
    rmSync(baseRoot, { recursive: true, force: true });
  }
}

async function assemble(
  headRoot: string,
  baseRoot: string,
  input: PlanInput,
  bench: ReturnType<typeof readBenchReport> | undefined,
): Promise<ChangeReport> {
  const plan = computePlan(input);
  const { graph, topology } = input;
  const contracts = contractChanges(input);
  const [secretsBefore, secretsAfter] = [requiredSecrets(baseRoot), requiredSecrets(headRoot)];
  const secrets = {
    added: secretsAfter.filter((s) => !secretsBefore.some((b) => sameSecret(b, s))),
    removed: secretsBefore.filter((s) => !secretsAfter.some((a) => sameSecret(a, s))),
  };
  // Read by the plan already: head's, then base's when it had one.
  const [headManifest, baseManifest] = input.manifests;
  const { added: addedFiles, modified: modifiedFiles } = await fileStatuses(headRoot, input);
  const retention = new Map(
    headManifest.streams.map((stream) => [stream.name, Number(stream.max_age)]),
  );
  const rules = {
    before: permissionRuleAt(baseRoot) ?? natsPermissionsFor,
    after: natsPermissionsFor,
  };
  // The deployable a domain's project reaches is, in this topology, the host carrying it.
  const hostsReached = (file: string): Set<string> => {
    const project = graph.projectOf(file);
    if (project === undefined) return new Set();
    return new Set(
      [...graph.deployablesDependingOn(project).keys()].map(
        (deployable) =>
          (topology.hosts.has(deployable) ? deployable : topology.hostOfDomain.get(deployable)) ??
          deployable,
      ),
    );
  };

  const services: ServiceReport[] = [];
  for (const { name, reasons } of plan.services) {
    const roots = [...graph.dependenciesOf(name)].map((project) => graph.rootOf(project));
    const before = baseManifest && hostEntry(baseManifest, topology, name);
    const after = hostEntry(headManifest, topology, name);
    const process = after?.process ?? before?.process ?? name;
    const existedAtBase = existsSync(join(baseRoot, 'services', name, 'src', 'main.ts'));
    const migrations = (files: string[]) =>
      files.filter((file) => isMigrationFile(file) && hostsReached(file).has(name));
    const report: Omit<ServiceReport, 'attention'> = {
      name,
      affectedBy: reasons,
      dependencies: diffDependencies(
        existedAtBase ? runtimeDependenciesOf(baseRoot, name) : undefined,
        runtimeDependenciesOf(headRoot, name),
      ),
      messaging: messagingChanges(process, before?.entry, after?.entry, rules),
      contracts: reasons.flatMap((reason) => {
        const change = contracts.find((c) => c.subject === reason.subject);
        return change === undefined || reason.use === undefined
          ? []
          : [{ ...change, use: reason.use }];
      }),
      migrations: {
        added: migrations(addedFiles).map((file) =>
          migrationRisks(file, readFileSync(join(headRoot, file), 'utf8')),
        ),
        edited: migrations(modifiedFiles),
      },
      configuration: {
        keys: diffConfigKeys(configKeysUnder(baseRoot, roots), configKeysUnder(headRoot, roots)),
        secrets: secrets.added.filter((secret) => secret.program.endsWith('/service')),
      },
      load: {
        measured: bench === undefined ? [] : measuredLoadOf(bench.report, topology.name, process),
        resources: stackResourcesOf(headRoot, process),
      },
    };
    services.push({ ...report, attention: attentionOf(report, retention) });
  }
  return {
    format: 'switchboard-change-report/1',
    base: input.base,
    head: input.head,
    topology: topology.name,
    services,
    outsideTopology: plan.outsideTopology,
    contracts,
    stacks: { changed: plan.stacks, secrets },
    ignored: plan.ignored,
    ...(bench === undefined ? {} : { benchmark: bench.source }),
  };
}

/**
 * The benchmark report the load figures come from: `--bench` (a wrong file is the caller's
 * mistake, said so), else the newest `dist/bench/e2e-*.json` when it is one, else none.
 */
function benchmarkOf(
  workspaceRoot: string,
  file: string | undefined,
): ReturnType<typeof readBenchReport> | undefined {
  // Named relative to the workspace when it is in it: the report is read on other machines.
  const named = (read: ReturnType<typeof readBenchReport>, path: string) => {
    const inside = relative(workspaceRoot, resolve(path));
    const shown = inside.startsWith('..') ? path : inside;
    return { ...read, source: { ...read.source, file: shown } };
  };
  if (file === undefined) {
    const newest = newestBenchReport(workspaceRoot);
    try {
      return newest === undefined ? undefined : named(readBenchReport(newest), newest);
    } catch {
      return undefined;
    }
  }
  if (!existsSync(file)) throw new UsageError(`--bench ${file}: no such file`);
  try {
    return named(readBenchReport(file), file);
  } catch (error) {
    throw new UsageError(`--bench ${(error as Error).message}`);
  }
}

function sameSecret(a: RequiredSecret, b: RequiredSecret): boolean {
  return a.program === b.program && a.key === b.key;
}

/** Every changed message, added, changed or removed, with what of it breaks. */
function contractChanges(input: PlanInput): ContractChange[] {
  const changes = input.contracts;
  if (changes === undefined) return [];
  return changes.subjects.map((subject) => ({
    subject,
    status: changes.added?.includes(subject)
      ? 'added'
      : changes.removed?.includes(subject)
        ? 'removed'
        : 'changed',
    breaking: (changes.breaking ?? [])
      .filter((change) => change.subject === subject)
      .map(describeBreaking),
  }));
}

/** `result message.text: field removed — breaks callers of the released version`. */
function describeBreaking(change: BreakingChange): string {
  const where = change.path === '' ? change.message : `${change.message} ${change.path}`;
  return `${where}: ${change.change} (breaks ${change.breaks})`;
}

/** Files added and modified between base and head (the diff the plan read), outside tests and docs. */
async function fileStatuses(
  root: string,
  input: PlanInput,
): Promise<{ added: string[]; modified: string[] }> {
  const { stdout } = await run(
    'git',
    ['diff', '--name-status', '--no-renames', `${input.base}...${input.head}`],
    { cwd: root, maxBuffer: 64 * 1024 * 1024 },
  );
  const added: string[] = [];
  const modified: string[] = [];
  for (const line of stdout.split('\n')) {
    const [status, file] = line.split('\t');
    if (file === undefined || neverDeployed(file) !== undefined) continue;
    if (status === 'A') added.push(file);
    if (status === 'M') modified.push(file);
  }
  return { added, modified };
}

/**
 * The environment keys of the zod config schemas in the source under `roots` (the projects a
 * deployable is built from) in the tree at `root`; a key several schemas name is listed once.
 */
function configKeysUnder(root: string, roots: string[]): ConfigKey[] {
  const keys = new Map<string, ConfigKey>();
  for (const folder of roots) {
    for (const file of sourceFiles(join(root, folder))) {
      const source = readFileSync(file, 'utf8');
      // Only files that hold an environment key at all (`PORT:`) are parsed.
      if (!/^\s*[A-Z][A-Z0-9]*_?[A-Z0-9_]*\s*:/m.test(source)) continue;
      for (const key of configKeysIn(relative(root, file), source)) {
        if (!keys.has(key.key)) keys.set(key.key, key);
      }
    }
  }
  return [...keys.values()];
}

function sourceFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder).flatMap((entry) => {
    const path = join(folder, entry);
    if (entry === 'node_modules' || entry.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry) && neverDeployed(entry) === undefined ? [path] : [];
  });
}
