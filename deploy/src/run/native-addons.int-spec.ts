import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installProductionDependencies, packagesBuildingOnInstall } from './native-addons';

const workspaceRoot = join(__dirname, '..', '..', '..');
const sqliteVersion = (
  JSON.parse(
    readFileSync(join(workspaceRoot, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8'),
  ) as { version: string }
).version;

/** A package folder as a release's is: a package.json with its lockfile. */
function appWith(dependencies: Record<string, string>, extra?: (dir: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'sb-native-'));
  extra?.(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'app', version: '1.0.0', private: true, dependencies }),
  );
  execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit'], {
    cwd: dir,
    stdio: 'ignore',
  });
  return dir;
}

describe('installing a release’s production dependencies', () => {
  const folders: string[] = [];
  afterAll(() => folders.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('copies the native addon the workspace already compiled, and it works', async () => {
    const app = appWith({ 'better-sqlite3': sqliteVersion });
    folders.push(app);
    const builds = await installProductionDependencies(app, workspaceRoot);
    expect(builds).toEqual([{ name: 'better-sqlite3', version: sqliteVersion, how: 'copied' }]);
    const answer = execFileSync(
      process.execPath,
      [
        '-e',
        "const Database = require('better-sqlite3'); process.stdout.write(JSON.stringify(new Database(':memory:').prepare('select 41 + 1 as x').get()))",
      ],
      { cwd: app, encoding: 'utf8' },
    );
    expect(JSON.parse(answer)).toEqual({ x: 42 });
  }, 120_000);

  it('runs the install script of a package the workspace has not built', async () => {
    const app = appWith({ 'needs-build': 'file:./vendor/needs-build' }, (dir) => {
      const vendored = join(dir, 'vendor', 'needs-build');
      mkdirSync(vendored, { recursive: true });
      writeFileSync(
        join(vendored, 'package.json'),
        JSON.stringify({
          name: 'needs-build',
          version: '1.0.0',
          scripts: { install: "node -e \"require('fs').writeFileSync('built-here', '')\"" },
        }),
      );
    });
    folders.push(app);
    expect(packagesBuildingOnInstall(join(app, 'node_modules'))).toEqual([]);
    const builds = await installProductionDependencies(app, workspaceRoot);
    expect(builds).toEqual([{ name: 'needs-build', version: '1.0.0', how: 'built' }]);
    expect(existsSync(join(app, 'node_modules', 'needs-build', 'built-here'))).toBe(true);
  }, 120_000);
});
