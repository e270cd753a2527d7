import { signDevToken } from '@switchboard/platform-auth';
import {
  createTestEnvironment,
  freePort,
  spawnService,
  TEST_JWT_SECRET,
  type TestEnvironment,
} from '@switchboard/platform-testing';
import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import {
  DEV_TOOLS,
  TYPES_REQUIRED_AT_RUN_TIME,
  distOf,
  folderSize,
  isolatedEnv,
  LOADED_AT_RUN_TIME,
  type Lockfile,
  type Manifest,
  megabytes,
  printFigures,
  readJson,
  requiredPackages,
  run,
  SERVICES,
  type ServiceName,
  workspaceRoot,
} from './deployable';
import { installProductionDependencies, type NativeBuild } from '../run/native-addons';

const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];
const rootManifest = readJson<Manifest>(join(workspaceRoot, 'package.json'));
const rootLock = readJson<Lockfile>(join(workspaceRoot, 'package-lock.json'));

describe.each(SERVICE_NAMES)('the deployable of %s', (service) => {
  const dist = distOf(service);
  const manifest = readJson<Manifest>(join(dist, 'package.json'));
  const dependencies = manifest.dependencies ?? {};

  it('lists exactly the packages main.js requires plus the drivers and peers loaded at run time', () => {
    const required = requiredPackages(readFileSync(join(dist, 'main.js'), 'utf8'));
    const expected = [...new Set([...required, ...LOADED_AT_RUN_TIME])].sort();

    expect(Object.keys(dependencies).sort()).toEqual(expected);
    expect(required).toEqual(expect.arrayContaining(['@nestjs/core', 'nats', 'typeorm']));
    expect(Object.keys(dependencies).filter((name) => DEV_TOOLS.test(name))).toEqual([]);
    expect(manifest.devDependencies).toBeUndefined();
  });

  it('pins every dependency to the version the workspace lockfile installs', () => {
    for (const [name, version] of Object.entries(dependencies)) {
      expect({ name, version }).toEqual({
        name,
        version: rootLock.packages[`node_modules/${name}`]?.version,
      });
    }
  });

  it('ships a lockfile in sync with its package.json, holding every dependency', () => {
    const lock = readJson<Lockfile>(join(dist, 'package-lock.json'));
    expect(lock.lockfileVersion).toBeGreaterThanOrEqual(2);
    expect(lock.packages['']?.dependencies).toEqual(dependencies);
    for (const [name, version] of Object.entries(dependencies)) {
      expect({ name, version: lock.packages[`node_modules/${name}`]?.version }).toEqual({
        name,
        version,
      });
    }
  });

  it('is accepted by `npm ci --omit=dev` (a dry run in a folder outside the repository)', async () => {
    const folder = mkdtempSync(join(tmpdir(), `switchboard-lock-${service}-`));
    try {
      for (const file of ['package.json', 'package-lock.json']) {
        cpSync(join(dist, file), join(folder, file));
      }
      const result = await run(
        'npm',
        ['ci', '--omit=dev', '--dry-run', '--no-audit', '--no-fund'],
        {
          cwd: folder,
        },
      );
      expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({
        code: 0,
        output: '',
      });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 120_000);

  it('starts with `npm start` under the engines of the workspace', () => {
    expect(manifest).toMatchObject({
      name: service,
      private: true,
      type: 'commonjs',
      main: 'main.js',
      scripts: { start: 'node main.js' },
      engines: rootManifest.engines,
    });
  });
});

// One service is installed for real: every service has the same dependencies (the tests above
// prove each list). It is installed as the pipeline packages a release: `npm ci --omit=dev` from
// its own lockfile, the native addon (better-sqlite3) taken from the workspace's build of the same
// version instead of compiled again (a minute of CPU; `native-addons.int-spec.ts` covers the
// compile, and the image's `npm ci` does it as a Dockerfile step).
describe('chat installed from its deployable alone, outside the repository', () => {
  const service: ServiceName = 'chat';
  let folder = '';
  let env: TestEnvironment | undefined;
  let install: { error?: Error; builds: NativeBuild[]; ms: number } = { builds: [], ms: 0 };

  beforeAll(async () => {
    folder = realpathSync(mkdtempSync(join(tmpdir(), `switchboard-deploy-${service}-`)));
    cpSync(distOf(service), folder, { recursive: true });
    const started = Date.now();
    try {
      // Nothing of what jest knows about the workspace reaches npm: it sees the folder alone.
      const builds = await installProductionDependencies(folder, workspaceRoot, isolatedEnv());
      install = { builds, ms: Date.now() - started };
    } catch (error) {
      install = { error: error as Error, builds: [], ms: Date.now() - started };
    }
    env = await createTestEnvironment([service]);
  }, 900_000);

  afterAll(async () => {
    await env?.stop();
    if (folder !== '') rmSync(folder, { recursive: true, force: true });
  });

  it('is a folder Node cannot reach the workspace node_modules from', () => {
    expect(folder.startsWith(realpathSync(workspaceRoot) + sep)).toBe(false);
    const ancestors = folder.split(sep).map((_, index, parts) => parts.slice(0, index).join(sep));
    expect(ancestors.filter((dir) => existsSync(join(dir || sep, 'node_modules')))).toEqual([]);
  });

  it('installs with `npm ci --omit=dev` from its own lockfile, with no dev tools', () => {
    expect(install.error?.message).toBeUndefined();
    expect(install.builds.map(({ name }) => name)).toEqual(['better-sqlite3']);
    const { packages } = readJson<Lockfile>(join(folder, 'node_modules', '.package-lock.json'));
    const installed = Object.keys(packages).map((path) => path.replace(/^.*node_modules\//, ''));
    const manifest = readJson<Manifest>(join(folder, 'package.json'));
    expect(installed).toEqual(expect.arrayContaining(Object.keys(manifest.dependencies ?? {})));
    // No dev tool, but the type declarations a runtime dependency requires itself — and only
    // while the package named for each really requires it.
    const requiredBy = (name: string) =>
      Object.entries(packages)
        .filter(([, entry]) => entry.dependencies?.[name] !== undefined)
        .map(([path]) => path.replace(/^.*node_modules\//, ''));
    const devTools = installed.filter((name) => {
      const allowedBy = TYPES_REQUIRED_AT_RUN_TIME[name];
      return DEV_TOOLS.test(name) && !(allowedBy && requiredBy(name).includes(allowedBy));
    });
    expect(devTools).toEqual([]);

    printFigures(`${service}: npm ci --omit=dev of dist/services/${service}`, {
      'install time': `${(install.ms / 1_000).toFixed(1)} s`,
      'native addons': install.builds.map(({ name, how }) => `${name} (${how})`).join(', '),
      'packages installed': installed.length,
      'direct dependencies': Object.keys(manifest.dependencies ?? {}).length,
      'folder size': megabytes(folderSize(folder)),
      'node_modules size': megabytes(folderSize(join(folder, 'node_modules'))),
      'bundle + manifests': megabytes(
        folderSize(folder) - folderSize(join(folder, 'node_modules')),
      ),
    });
  });

  it('resolves its packages from the folder and nothing from the workspace', async () => {
    const probe = [
      "const names = ['typeorm', 'pg', 'better-sqlite3', '@nestjs/core', 'nats', 'jest', 'nx'];",
      'const where = {};',
      'for (const name of names) {',
      "  try { where[name] = require.resolve(name, { paths: [process.cwd()] }); } catch { where[name] = 'missing'; }",
      '}',
      "const db = new (require('better-sqlite3'))(':memory:');",
      "where.sqlite = db.prepare('SELECT 41 + 1 AS answer').get().answer;",
      'console.log(JSON.stringify(where));',
    ].join('\n');
    const result = await run(process.execPath, ['-e', probe], { cwd: folder });
    expect(result.code).toBe(0);
    const where = JSON.parse(result.output.trim().split('\n').pop() ?? '{}') as Record<
      string,
      string | number
    >;
    for (const name of ['typeorm', 'pg', 'better-sqlite3', '@nestjs/core', 'nats']) {
      expect({ name, inFolder: String(where[name]).startsWith(folder + sep) }).toEqual({
        name,
        inFolder: true,
      });
    }
    // The native binding loads in this Node, from the folder.
    expect(where['sqlite']).toBe(42);
    expect({ jest: where['jest'], nx: where['nx'] }).toEqual({ jest: 'missing', nx: 'missing' });
  }, 30_000);

  it('runs with NODE_ENV=production: ready, serves chat and its OpenAPI document, exits 0 on SIGTERM', async () => {
    if (!env) throw new Error('no test environment');
    const port = await freePort();
    const started = Date.now();
    const chat = await spawnService({
      name: `${service} (installed in ${folder})`,
      entry: join(folder, 'main.js'),
      port,
      env: {
        ...(isolatedEnv() as Record<string, string>),
        ...env.envFor(service, { NODE_ENV: 'production' }),
        HOST: '127.0.0.1',
        NODE_PATH: '',
      },
      readyTimeoutMs: 60_000,
    });
    const readyMs = Date.now() - started;
    try {
      const headers = {
        authorization: `Bearer ${await signDevToken('alice', TEST_JWT_SECRET)}`,
        'content-type': 'application/json',
      };
      const created = await fetch(`${chat.url}/conversations`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ title: 'shipped', memberIds: ['bob'] }),
      });
      expect(created.status).toBe(201);
      const conversation = (await created.json()) as { id: string };
      const posted = await fetch(`${chat.url}/conversations/${conversation.id}/messages`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ text: 'from the image contents' }),
      });
      expect(posted.status).toBe(201);
      const page = (await (
        await fetch(`${chat.url}/conversations/${conversation.id}/messages`, { headers })
      ).json()) as { items: { text: string }[] };
      expect(page.items.map((message) => message.text)).toContain('from the image contents');
      expect((await fetch(`${chat.url}/conversations`)).status).toBe(401);

      const docs = await fetch(`${chat.url}/docs/openapi.json`);
      expect(docs.status).toBe(200);
      const document = (await docs.json()) as { openapi: string; paths: Record<string, unknown> };
      expect(document.openapi).toMatch(/^3\./);
      expect(Object.keys(document.paths)).toEqual(
        expect.arrayContaining(['/conversations', '/conversations/{id}/messages']),
      );
    } finally {
      const code = await chat.stop('SIGTERM', 15_000);
      printFigures(`${service}: started from the installed folder`, {
        'ready after': `${(readyMs / 1_000).toFixed(1)} s`,
        'exit code on SIGTERM': String(code),
      });
      expect(code).toBe(0);
    }
  }, 120_000);
});
