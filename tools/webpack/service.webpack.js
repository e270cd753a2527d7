const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { readFileSync } = require('node:fs');
const { builtinModules } = require('node:module');
const { join } = require('node:path');
const { prunedLockfile } = require('./pruned-lockfile');

const workspaceRoot = join(__dirname, '..', '..');

/**
 * Packages a bundle never names in a `require(...)` but still needs at run time: TypeORM loads the
 * database driver named by DATABASE_URL (`pg`, `better-sqlite3`), and `@nestjs/platform-fastify` /
 * `nestjs-pino` take `fastify`, `pino` and `pino-http` as peers. Nx lists them from the project
 * graph; this list only documents why they may stand in package.json without a require.
 */
const LOADED_AT_RUN_TIME = ['better-sqlite3', 'fastify', 'pg', 'pino', 'pino-http'];

/** Names of the packages a CommonJS bundle requires (`@scope/name/deep/path` → `@scope/name`), builtins left out. */
function requiredPackages(source) {
  const names = new Set();
  for (const [, request] of source.matchAll(/require\("([^"./][^"]*)"\)/g)) {
    if (request.startsWith('node:') || builtinModules.includes(request)) continue;
    const parts = request.split('/');
    names.add(request.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
  }
  return [...names].sort();
}

/**
 * The root manifest's `field` narrowed to the packages in this service's lockfile, as
 * `{ [field]: … }`, or nothing when none is left. Used for `allowScripts` (npm's approval of
 * install scripts, e.g. better-sqlite3 building its native binding: `npm ci` in the deployable
 * approves the same scripts as in the workspace and nothing more) and `overrides` (the pruned
 * lockfile holds the overridden versions, and `npm ci` refuses a lockfile the manifest's ranges
 * contradict unless the manifest carries the same overrides).
 */
function narrowedToLockfile(root, lock, field) {
  if (!root[field]) return {};
  const narrowed = Object.fromEntries(
    Object.entries(root[field]).filter(([name]) => `node_modules/${name}` in lock.packages),
  );
  return Object.keys(narrowed).length > 0 ? { [field]: narrowed } : {};
}

/**
 * Completes the package.json NxAppWebpackPlugin generates so `dist/services/<name>/` is a
 * deployable on its own (`npm ci --omit=dev && npm start`): the root's engines and license, an
 * explicit CommonJS `type` (main.js is a CommonJS bundle, whatever the root declares later), a
 * `start` script, the install scripts npm may run and the overrides its lockfile was resolved with. Fails the build when the bundle requires a
 * package the manifest does not list, which would otherwise surface only as MODULE_NOT_FOUND in a
 * container; drops what Nx lists that neither main.js requires nor LOADED_AT_RUN_TIME names.
 */
class DeployManifestPlugin {
  constructor(serviceName) {
    this.serviceName = serviceName;
  }

  apply(compiler) {
    const { Compilation, sources, WebpackError } = compiler.webpack;
    compiler.hooks.thisCompilation.tap(DeployManifestPlugin.name, (compilation) => {
      compilation.hooks.processAssets.tap(
        // After NxAppWebpackPlugin's GeneratePackageJsonPlugin (stage ADDITIONAL) emitted it.
        { name: DeployManifestPlugin.name, stage: Compilation.PROCESS_ASSETS_STAGE_SUMMARIZE },
        () => {
          const asset = compilation.getAsset('package.json');
          if (!asset) {
            compilation.errors.push(
              new WebpackError(
                `${this.serviceName}: no package.json generated (generatePackageJson is off?)`,
              ),
            );
            return;
          }
          const root = JSON.parse(readFileSync(join(workspaceRoot, 'package.json'), 'utf8'));
          const generated = JSON.parse(asset.source.source().toString());
          const main = compilation.getAsset('main.js');
          const required = main ? requiredPackages(main.source.source().toString()) : [];
          // Nx also lists installed optional peers of what the bundle requires (@fastify/static
          // for @nestjs/platform-fastify once any project installs it): a deployable ships only
          // what main.js requires and what is loaded at run time without a require.
          const dependencies = Object.fromEntries(
            Object.entries(generated.dependencies ?? {}).filter(
              ([name]) => !main || required.includes(name) || LOADED_AT_RUN_TIME.includes(name),
            ),
          );
          const manifest = {
            name: generated.name,
            version: generated.version,
            private: true,
            description: `Switchboard ${this.serviceName} service (built by nx build ${this.serviceName})`,
            license: root.license,
            type: 'commonjs',
            main: 'main.js',
            engines: root.engines,
            scripts: { start: 'node main.js' },
            dependencies,
          };
          const rootLock = JSON.parse(
            readFileSync(join(workspaceRoot, 'package-lock.json'), 'utf8'),
          );
          let lock;
          try {
            lock = prunedLockfile(rootLock, manifest.name, manifest.version, dependencies);
          } catch (error) {
            compilation.errors.push(new WebpackError(error.message));
            return;
          }
          Object.assign(
            manifest,
            narrowedToLockfile(root, lock, 'allowScripts'),
            narrowedToLockfile(root, lock, 'overrides'),
          );
          compilation.updateAsset(
            'package.json',
            new sources.RawSource(`${JSON.stringify(manifest, null, 2)}\n`),
          );
          const lockSource = new sources.RawSource(`${JSON.stringify(lock, null, 2)}\n`);
          if (compilation.getAsset('package-lock.json')) {
            compilation.updateAsset('package-lock.json', lockSource);
          } else {
            compilation.emitAsset('package-lock.json', lockSource);
          }

          const missing = required.filter((name) => !(name in dependencies));
          if (missing.length > 0) {
            compilation.errors.push(
              new WebpackError(
                `${this.serviceName}: main.js requires ${missing.join(', ')} but the generated package.json does not list ` +
                  'them; add them to the root package.json dependencies.',
              ),
            );
          }
        },
      );
    });
  }
}

/**
 * The build of every service: one bundle of our code with node_modules left external, plus a
 * generated package.json and lockfile listing only that service's runtime dependencies.
 * tsc (not esbuild) keeps the decorator metadata Nest's dependency injection reads at run time.
 */
module.exports = function serviceWebpackConfig(serviceName) {
  return {
    output: { path: join(workspaceRoot, 'dist', 'services', serviceName) },
    devtool: 'source-map',
    plugins: [
      new NxAppWebpackPlugin({
        target: 'node',
        compiler: 'tsc',
        main: './src/main.ts',
        tsConfig: './tsconfig.app.json',
        optimization: false,
        outputHashing: 'none',
        generatePackageJson: true,
        sourceMap: true,
        // No second type check in every build (fork-ts-checker): the typecheck target does it in
        // `npm test`, the pipeline's checks before a release; here it doubled a build's CPU.
        typeCheckOptions: false,
      }),
      new DeployManifestPlugin(serviceName),
    ],
  };
};
