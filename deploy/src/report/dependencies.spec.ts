import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { WORKSPACE_ROOT } from '@switchboard/platform-testing';
import {
  diffDependencies,
  type RuntimeDependencies,
  type RuntimeDependency,
  runtimeDependenciesOf,
} from './dependencies';

/**
 * The static derivation is only worth having if it is the build's: compared with what
 * `nx build <deployable>` wrote, for every deployable under services/ (deploy's test target builds
 * them first).
 */
describe('runtimeDependenciesOf a deployable of this workspace', () => {
  const built = (service: string, file: string): Record<string, unknown> => {
    const path = join(WORKSPACE_ROOT, 'dist', 'services', service, file);
    if (!existsSync(path)) {
      throw new Error(
        `dist/services/${service}/${file} is missing: run \`npx nx build ${service}\` first ` +
          '(`npx nx test deploy` builds every deployable it compares).',
      );
    }
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  };
  const keys = (dependencies: RuntimeDependency[]) =>
    dependencies.map(({ name, version }) => `${name}@${version}`).sort();

  it.each(readdirSync(join(WORKSPACE_ROOT, 'services')).sort())(
    '%s: the direct and transitive packages of its built package.json and lockfile',
    (service) => {
      const { direct, transitive } = runtimeDependenciesOf(WORKSPACE_ROOT, service);

      const manifest = built(service, 'package.json') as { dependencies: Record<string, string> };
      expect(Object.fromEntries(direct.map(({ name, version }) => [name, version]))).toEqual(
        manifest.dependencies,
      );
      const lock = built(service, 'package-lock.json') as {
        packages: Record<string, { version: string }>;
      };
      const locked = Object.entries(lock.packages)
        .filter(([path]) => path !== '')
        .map(
          ([path, { version }]) =>
            `${path.slice(path.lastIndexOf('node_modules/') + 13)}@${version}`,
        );
      const directKeys = new Set(keys(direct));
      expect(keys(transitive)).toEqual(
        [...new Set(locked)].filter((key) => !directKeys.has(key)).sort(),
      );
    },
    60_000,
  );

  it('sees better-sqlite3, the database driver TypeORM loads, as a native build', () => {
    const { direct } = runtimeDependenciesOf(WORKSPACE_ROOT, 'chat');
    expect(direct.find(({ name }) => name === 'better-sqlite3')).toMatchObject({
      license: 'MIT',
      installScript: true,
      native: true,
    });
  }, 60_000);
});

interface LockEntry {
  version: string;
  license?: string;
  hasInstallScript?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

describe('diffDependencies between two trees', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  /**
   * A workspace with one deployable, `api`, whose main.ts calls the lib `@demo/lib`; `direct`
   * are the root package.json's dependencies, `lock` every package the lockfile installs.
   */
  const workspace = (
    sources: Record<string, string>,
    direct: string[],
    lock: Record<string, LockEntry>,
  ): string => {
    const root = mkdtempSync(join(tmpdir(), 'dependencies-spec-'));
    roots.push(root);
    const dependencies = Object.fromEntries(direct.map((name) => [name, lock[name]?.version]));
    const json = (value: unknown) => JSON.stringify(value, null, 2);
    const packages = Object.fromEntries(
      Object.entries(lock).map(([name, entry]) => [`node_modules/${name}`, entry]),
    );
    const files: Record<string, string> = {
      'package.json': json({ name: 'demo', version: '0.0.0', dependencies }),
      'package-lock.json': json({
        name: 'demo',
        lockfileVersion: 3,
        packages: { '': { name: 'demo', dependencies }, ...packages },
      }),
      'nx.json': json({ namedInputs: { production: ['default', '!{projectRoot}/**/*.spec.ts'] } }),
      'tsconfig.base.json': json({
        compilerOptions: {
          target: 'es2022',
          module: 'commonjs',
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          baseUrl: '.',
          paths: { '@demo/lib': ['libs/lib/src/index.ts'] },
        },
      }),
      'services/api/project.json': '{}',
      'services/api/tsconfig.app.json': json({ extends: '../../tsconfig.base.json' }),
      'services/api/src/main.ts': "import { greet } from '@demo/lib';\n\ngreet();\n",
      'libs/lib/project.json': '{}',
      'libs/lib/src/index.ts': "export { greet } from './lib/greet';\n",
      'libs/lib/src/lib/greet.ts': 'export function greet(): void {}\n',
      ...sources,
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  };
  const packages: Record<string, LockEntry> = {
    'left-pad': { version: '1.3.0', license: 'WTFPL' },
    'fast-db': {
      version: '2.0.0',
      license: 'MIT',
      hasInstallScript: true,
      dependencies: { 'node-gyp-build': '^4.8.0' },
    },
    'node-gyp-build': { version: '4.8.4', license: 'MIT' },
    'telemetry-ping': { version: '1.0.0', license: 'ISC', hasInstallScript: true },
    orm: { version: '3.0.0', license: 'MIT', peerDependencies: { pg: '*' } },
    pg: { version: '8.0.0', license: 'MIT' },
    pino: { version: '9.0.0', license: 'MIT' },
  };
  const everything = Object.keys(packages).filter((name) => name !== 'node-gyp-build');
  const dependenciesOf = (sources: Record<string, string>, lock = packages) =>
    runtimeDependenciesOf(workspace(sources, everything, lock), 'api');
  let before: RuntimeDependencies;
  beforeAll(() => {
    before = dependenciesOf({});
  });
  const greetUsing = (code: string) => ({ 'libs/lib/src/lib/greet.ts': code });
  const names = (dependencies: RuntimeDependencies) => dependencies.direct.map(({ name }) => name);
  const dependency = (
    name: string,
    version: string,
    license: string,
    script = false,
    native = false,
  ) => ({ name, version, license, installScript: script, native }) satisfies RuntimeDependency;

  it('reports a package a lib reached from main.ts starts importing, with its licence and build', () => {
    const after = dependenciesOf(
      greetUsing("import Database from 'fast-db';\n\nexport const greet = () => new Database();\n"),
    );

    expect(diffDependencies(before, after)).toEqual({
      added: [dependency('fast-db', '2.0.0', 'MIT', true, true)],
      removed: [],
      changed: [],
      transitive: { added: [dependency('node-gyp-build', '4.8.4', 'MIT')], removed: [] },
    });
  });

  it('does not count an install script that builds nothing as native', () => {
    const after = dependenciesOf(
      greetUsing("import 'telemetry-ping';\n\nexport function greet(): void {}\n"),
    );

    expect(diffDependencies(before, after).added).toEqual([
      dependency('telemetry-ping', '1.0.0', 'ISC', true, false),
    ]);
  });

  it('ignores imports used only as types, but not a class a decorated constructor takes', () => {
    const after = dependenciesOf(
      greetUsing(
        "import type { Pad } from 'left-pad';\nimport { Database } from 'fast-db';\n\n" +
          'export function greet(pad?: Pad, db?: Database): void {\n  void pad;\n  void db;\n}\n',
      ),
    );
    expect(names(after)).toEqual([]);

    const injected = dependenciesOf(
      greetUsing(
        "import { Database } from 'fast-db';\n\nconst Injectable = (): ClassDecorator => () => undefined;\n\n" +
          '@Injectable()\nexport class Greeter {\n  constructor(readonly db: Database) {}\n}\n\n' +
          'export function greet(): void {}\n',
      ),
    );
    expect(names(injected)).toEqual(['fast-db']);
  });

  it('ignores an import in a file main.ts does not reach', () => {
    const after = dependenciesOf({
      'libs/lib/src/lib/unused.ts':
        "import leftPad from 'left-pad';\n\nexport const pad = leftPad;\n",
    });

    expect(diffDependencies(before, after)).toMatchObject({ added: [], removed: [], changed: [] });
  });

  it('reports a version bump of the root package.json and lockfile as a change', () => {
    const code = greetUsing(
      "import leftPad from 'left-pad';\n\nexport const greet = () => leftPad('', 1);\n",
    );
    const bumped = { ...packages, 'left-pad': { version: '1.4.0', license: 'MIT' } };

    expect(diffDependencies(dependenciesOf(code), dependenciesOf(code, bumped)).changed).toEqual([
      {
        name: 'left-pad',
        from: dependency('left-pad', '1.3.0', 'WTFPL'),
        to: dependency('left-pad', '1.4.0', 'MIT'),
      },
    ]);
  });

  it('lists a driver loaded at run time when an imported package takes it as a peer', () => {
    const after = dependenciesOf(
      greetUsing("import { connect } from 'orm';\n\nexport const greet = connect;\n"),
    );

    // pg is a peer of orm; pino, also loaded at run time, is neither imported nor a peer.
    expect(names(after)).toEqual(['orm', 'pg']);
  });

  it('lists a package loaded at run time that any file of a reached project names, even as a type', () => {
    const after = dependenciesOf({
      'libs/lib/src/lib/unused.ts':
        "import type { Logger } from 'pino';\n\nexport type Log = Logger;\n",
    });

    expect(names(after)).toEqual(['pino']);
  });

  it('reports everything as added for a new deployable and removed for a deleted one', () => {
    const after = dependenciesOf(
      greetUsing("import 'fast-db';\n\nexport function greet(): void {}\n"),
    );

    expect(diffDependencies(undefined, after).added.map(({ name }) => name)).toEqual(['fast-db']);
    expect(diffDependencies(undefined, after).transitive.added.map(({ name }) => name)).toEqual([
      'node-gyp-build',
    ]);
    expect(diffDependencies(after, undefined).removed.map(({ name }) => name)).toEqual(['fast-db']);
  });
});
