import {
  type AsyncApiDocument,
  breakingChanges,
  type BreakingChange,
} from '@switchboard/contracts';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { type WorkspaceGraph } from './workspace-graph';

const run = promisify(execFile);

/** One export of libs/contracts at one commit: a digest of its run-time meaning. */
export interface ExportFingerprint {
  name: string;
  digest: string;
  /** For a message contract: its subject (a push's subject prefix). */
  subject?: string;
}

/** What changed in libs/contracts between two commits, by meaning rather than by text. */
export interface ContractChanges {
  /** Subjects of messages added, removed or whose schemas changed. */
  subjects: string[];
  /** Other exports that changed (a shared schema, an id format, a limit), and the projects naming them. */
  exports: { name: string; usedBy: string[] }[];
  /**
   * With the manifests of both commits (`deploy report`): the changes that break a user of the
   * base's version, by the contracts gate's rules (`breakingChanges`).
   */
  breaking?: BreakingChange[];
  /** With the manifests: the subjects of `subjects` that are new at head, and those gone. */
  added?: string[];
  removed?: string[];
}

/** The messaging manifests of base (absent when it had none) and head, to judge what breaks. */
export interface ManifestFiles {
  base?: string;
  head: string;
}

const CONTRACTS_ENTRY = join('libs', 'contracts', 'src', 'index.ts');
const CHILD = join(__dirname, 'contracts-fingerprint.child.ts');
const REGISTER = join(__dirname, '..', '..', 'register.cjs');
const SOURCE = /\.(ts|mts|cts|js|mjs)$/;
const NOT_SOURCE = /\.(spec|int-spec|e2e-spec|browser-spec)\.ts$/;

interface Described {
  fingerprints: ExportFingerprint[];
  document?: AsyncApiDocument;
}

/**
 * Fingerprints of every export of the contracts whose `index.ts` is at `entry`, and with a
 * manifest, their AsyncAPI document.
 */
async function describeContracts(
  workspaceRoot: string,
  entry: string,
  manifest?: string,
): Promise<Described> {
  const args = ['-r', REGISTER, CHILD, entry, ...(manifest === undefined ? [] : [manifest])];
  const { stdout } = await run(process.execPath, args, {
    cwd: workspaceRoot,
    maxBuffer: 64 * 1024 * 1024,
  });
  const parsed = JSON.parse(stdout) as ExportFingerprint[] | Described;
  return Array.isArray(parsed) ? { fingerprints: parsed } : parsed;
}

/**
 * Compares the contracts at `base` with those in the working tree (head). The base's copy is
 * taken from git (`git archive`) into `.switchboard/plan/` inside the workspace, so it resolves
 * `zod` from the workspace's node_modules, and removed again.
 */
export async function contractChanges(
  workspaceRoot: string,
  baseSha: string,
  graph: WorkspaceGraph,
  manifests?: ManifestFiles,
): Promise<ContractChanges> {
  const copy = join(workspaceRoot, '.switchboard', 'plan', baseSha);
  rmSync(copy, { recursive: true, force: true });
  mkdirSync(copy, { recursive: true });
  try {
    const archive = join(copy, 'contracts.tar');
    await run('git', ['archive', '--output', archive, baseSha, 'libs/contracts'], {
      cwd: workspaceRoot,
    });
    await run('tar', ['-xf', archive, '-C', copy]);
    const hadContracts = existsSync(join(copy, CONTRACTS_ENTRY));
    const [before, after] = await Promise.all<Described>([
      hadContracts
        ? describeContracts(workspaceRoot, join(copy, CONTRACTS_ENTRY), manifests?.base)
        : { fingerprints: [] },
      describeContracts(workspaceRoot, join(workspaceRoot, CONTRACTS_ENTRY), manifests?.head),
    ]);
    const sources = sourcesReader(workspaceRoot, graph);
    const changes = compare(before.fingerprints, after.fingerprints, (name) =>
      projectsNaming(sources(), name),
    );
    if (manifests === undefined || after.document === undefined) return changes;
    // No base document (no contracts, or no manifest then): nothing existed to break.
    const breaking =
      before.document === undefined ? [] : breakingChanges(before.document, after.document);
    const subjectsOf = (described: Described): Set<string | undefined> =>
      new Set(described.fingerprints.map((fingerprint) => fingerprint.subject));
    const [had, has] = [subjectsOf(before), subjectsOf(after)];
    return {
      ...changes,
      breaking,
      added: changes.subjects.filter((subject) => !had.has(subject)),
      removed: changes.subjects.filter((subject) => !has.has(subject)),
    };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** Pure: the changed subjects and other exports between two sets of fingerprints. */
export function compare(
  before: ExportFingerprint[],
  after: ExportFingerprint[],
  usedBy: (name: string) => string[],
): ContractChanges {
  const old = new Map(before.map((f) => [f.name, f]));
  const current = new Map(after.map((f) => [f.name, f]));
  const subjects = new Set<string>();
  const exports: ContractChanges['exports'] = [];
  for (const name of [...new Set([...old.keys(), ...current.keys()])].sort()) {
    const a = old.get(name);
    const b = current.get(name);
    if (a?.digest === b?.digest) continue;
    const subject = b?.subject ?? a?.subject;
    if (subject !== undefined) {
      subjects.add(subject);
      if (a?.subject !== undefined && a.subject !== subject) subjects.add(a.subject);
    } else {
      exports.push({ name, usedBy: usedBy(name) });
    }
  }
  return { subjects: [...subjects].sort(), exports };
}

/** A source file of a project other than the contracts, read once per plan. */
interface Source {
  project: string;
  text: string;
  importsContracts: boolean;
}

/** The source of every project but the contracts, read on first use (only a changed export needs it). */
function sourcesReader(workspaceRoot: string, graph: WorkspaceGraph): () => Source[] {
  let sources: Source[] | undefined;
  return () => {
    if (sources === undefined) {
      const contracts = graph.projectOfRoot('libs/contracts');
      sources = [];
      for (const file of sourceFiles(workspaceRoot)) {
        const project = graph.projectOf(file);
        if (project === undefined || project === contracts) continue;
        const text = readFileSync(join(workspaceRoot, file), 'utf8');
        sources.push({ project, text, importsContracts: text.includes('@switchboard/contracts') });
      }
    }
    return sources;
  };
}

/**
 * Projects whose source names an export: `Chat.MessageView` as written, a top-level export
 * (`UserId`) as a word in a file that imports `@switchboard/contracts`.
 */
function projectsNaming(sources: Source[], name: string): string[] {
  const nested = name.includes('.');
  const word = new RegExp(`\\b${name.replace(/\./g, '\\.')}\\b`);
  const projects = new Set<string>();
  for (const { project, text, importsContracts } of sources) {
    if (projects.has(project) || (!nested && !importsContracts)) continue;
    if (word.test(text)) projects.add(project);
  }
  return [...projects].sort();
}

function sourceFiles(workspaceRoot: string): string[] {
  const files: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder)) {
      if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
      const path = join(folder, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (SOURCE.test(entry) && !NOT_SOURCE.test(entry))
        files.push(relative(workspaceRoot, path));
    }
  };
  for (const top of ['apps', 'libs', 'services']) {
    if (existsSync(join(workspaceRoot, top))) walk(join(workspaceRoot, top));
  }
  return files;
}
