import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Plain CommonJS so `node tools/docker/stream-provisioner-package.js` runs without a build.
const generator = require('./stream-provisioner-package.js') as {
  PROVISIONER_DIR: string;
  renderStreamProvisionerPackage(root?: string): Map<string, string>;
};

const workspaceRoot = join(__dirname, '..', '..');

interface Lockfile {
  packages: Record<string, { version?: string; dependencies?: Record<string, string> }>;
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

describe('infra/streams/package.json and package-lock.json (the stream-provisioner image)', () => {
  const manifest = readJson<{
    name: string;
    private: boolean;
    type: string;
    engines: { node: string };
    dependencies: Record<string, string>;
  }>(join(generator.PROVISIONER_DIR, 'package.json'));
  const lock = readJson<Lockfile>(join(generator.PROVISIONER_DIR, 'package-lock.json'));
  const rootManifest = readJson<{ dependencies: Record<string, string> }>(
    join(workspaceRoot, 'package.json'),
  );
  const rootLock = readJson<Lockfile>(join(workspaceRoot, 'package-lock.json'));

  it('are committed exactly as the generator cuts them from the root package.json and lockfile', () => {
    for (const [path, content] of generator.renderStreamProvisionerPackage()) {
      // Regenerate with `node tools/docker/stream-provisioner-package.js`.
      expect({ path, content: readFileSync(path, 'utf8') }).toEqual({ path, content });
    }
  });

  it('pin the nats client of the root, the one the workspace tests run against', () => {
    expect(manifest).toMatchObject({
      name: '@switchboard/stream-provisioner',
      private: true,
      type: 'module',
      engines: { node: '>=22.18' },
    });
    expect(manifest.dependencies).toEqual({ nats: rootManifest.dependencies['nats'] });
    expect(lock.packages['']?.dependencies).toEqual(manifest.dependencies);
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (path === '') continue;
      // Same path, same version as in the root: npm ci in the image lays out the tree tested here.
      expect({ path, version: entry.version }).toEqual({
        path,
        version: rootLock.packages[path]?.version,
      });
    }
    expect(lock.packages['node_modules/nats']?.version).toBe(rootManifest.dependencies['nats']);
  });

  it('cannot be generated from a root whose package.json and lockfile disagree on nats', () => {
    const root = mkdtempSync(join(tmpdir(), 'sb-provisioner-root-'));
    try {
      const bumped = {
        ...rootManifest,
        dependencies: { ...rootManifest.dependencies, nats: '2.99.0' },
      };
      writeFileSync(join(root, 'package.json'), JSON.stringify(bumped));
      writeFileSync(join(root, 'package-lock.json'), JSON.stringify(rootLock));
      expect(() => generator.renderStreamProvisionerPackage(root)).toThrow(
        /wants nats@2\.99\.0 but the root package-lock\.json has 2\./,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('--check exits 0 on the committed files', () => {
    const result = spawnSync(
      process.execPath,
      [join(__dirname, 'stream-provisioner-package.js'), '--check'],
      { encoding: 'utf8' },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
