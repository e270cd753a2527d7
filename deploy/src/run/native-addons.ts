import { cpSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './shell';

interface Manifest {
  name?: string;
  version?: string;
  gypfile?: boolean;
  scripts?: Record<string, string>;
}

/** What installing the production dependencies did about each package that builds on install. */
export interface NativeBuild {
  name: string;
  version: string;
  /** `copied` from the workspace's own build, or `built` by its install script. */
  how: 'copied' | 'built';
}

/**
 * Installs a package's production dependencies (`npm ci --omit=dev`) without compiling what the
 * workspace on this machine has already compiled.
 *
 * A native addon (better-sqlite3) compiles from source on install wherever no prebuilt binary can
 * be downloaded — a minute and a half on two cores. The workspace's `node_modules` holds the same
 * versions, built for the same machine. So install scripts are skipped, and each package that has
 * one gets the workspace's `build/` output when its version is the same and the copied `.node`
 * files load in this Node (checked in a child process: a binary built for another Node version
 * throws instead of loading); otherwise its install script runs (`npm rebuild <name>`).
 */
export async function installProductionDependencies(
  appDir: string,
  workspaceRoot: string,
  baseEnv: NodeJS.ProcessEnv = process.env,
): Promise<NativeBuild[]> {
  await runCommand('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: appDir,
    baseEnv,
  });
  const builds: NativeBuild[] = [];
  for (const { name, version } of packagesBuildingOnInstall(join(appDir, 'node_modules'))) {
    const own = join(appDir, 'node_modules', name);
    const workspaces = join(workspaceRoot, 'node_modules', name);
    const copied =
      manifestOf(workspaces)?.version === version &&
      existsSync(join(workspaces, 'build')) &&
      copyBuild(workspaces, own) &&
      (await loads(own));
    if (!copied) await runCommand('npm', ['rebuild', name], { cwd: appDir, baseEnv });
    builds.push({ name, version, how: copied ? 'copied' : 'built' });
  }
  return builds;
}

/** Installed packages whose install compiles something: an install script or a binding.gyp. */
export function packagesBuildingOnInstall(
  nodeModules: string,
): { name: string; version: string }[] {
  if (!existsSync(nodeModules)) return [];
  const found: { name: string; version: string }[] = [];
  const consider = (name: string): void => {
    const dir = join(nodeModules, name);
    const manifest = manifestOf(dir);
    if (manifest?.version === undefined) return;
    const scripts = manifest.scripts ?? {};
    const builds =
      scripts['preinstall'] !== undefined ||
      scripts['install'] !== undefined ||
      scripts['postinstall'] !== undefined ||
      manifest.gypfile === true ||
      existsSync(join(dir, 'binding.gyp'));
    if (builds) found.push({ name, version: manifest.version });
  };
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) {
      for (const scoped of readdirSync(join(nodeModules, entry))) consider(`${entry}/${scoped}`);
    } else {
      consider(entry);
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

function manifestOf(dir: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

function copyBuild(from: string, to: string): boolean {
  try {
    cpSync(join(from, 'build'), join(to, 'build'), { recursive: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the package's addons load in this Node, in a child process: at least one `.node` file
 * under `build/` loads, and none fails but for not being a Node addon at all (better-sqlite3 also
 * builds a SQLite extension, which "did not self-register").
 */
async function loads(packageDir: string): Promise<boolean> {
  const addons = nodeFiles(join(packageDir, 'build'));
  if (addons.length === 0) return false;
  const check = `
    let loaded = 0;
    for (const file of ${JSON.stringify(addons)}) {
      try { require(file); loaded += 1; }
      catch (error) { if (!/did not self-register/.test(error.message)) throw error; }
    }
    if (loaded === 0) throw new Error('no addon loaded');`;
  try {
    await runCommand(process.execPath, ['-e', check], { cwd: packageDir });
    return true;
  } catch {
    return false;
  }
}

function nodeFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return nodeFiles(path);
    return name.endsWith('.node') ? [path] : [];
  });
}
