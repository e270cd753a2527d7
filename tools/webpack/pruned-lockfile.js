// The deployable's lockfile, pruned from the root's: used by the build (service.webpack.js) and by
// `deploy report`, which derives a deployable's dependencies without building it.

/**
 * The root lockfile cut down to what `dependencies` need, every package kept at the path it has in
 * the root lockfile. Nx's own pruned lockfile re-hoists nested packages and, depending on how the
 * root tree is laid out, leaves edges unresolved (`npm ci`: "Missing: string-width@7.2.0 from lock
 * file"); a subset of a tree npm itself laid out resolves every edge the way the workspace does.
 * Follows dependencies, optionalDependencies and required peers; entries reached only through
 * optional edges keep `optional` (platform binaries), dev flags go (nothing here is dev).
 */
function prunedLockfile(rootLock, name, version, dependencies) {
  const packages = rootLock.packages;
  /** npm's lookup from a package's folder: its own node_modules, then each ancestor's, then the root's. */
  const resolve = (from, dependency) => {
    for (let base = from; ;) {
      const candidate =
        base === '' ? `node_modules/${dependency}` : `${base}/node_modules/${dependency}`;
      if (packages[candidate]) return candidate;
      if (base === '') return undefined;
      const parent = base.lastIndexOf('/node_modules/');
      base = parent === -1 ? '' : base.slice(0, parent);
    }
  };
  const reach = (withOptional) => {
    const seen = new Set();
    const missing = Object.keys(dependencies).filter((dependency) => !resolve('', dependency));
    if (missing.length > 0) {
      throw new Error(`${name}: ${missing.join(', ')} not in the root package-lock.json`);
    }
    const queue = Object.keys(dependencies).map((dependency) => resolve('', dependency));
    while (queue.length > 0) {
      const path = queue.pop();
      if (seen.has(path)) continue;
      seen.add(path);
      const entry = packages[path];
      const optionalPeers = entry.peerDependenciesMeta ?? {};
      const edges = [
        ...Object.keys(entry.dependencies ?? {}),
        ...Object.keys(entry.peerDependencies ?? {}).filter(
          (peer) => !optionalPeers[peer]?.optional,
        ),
        ...(withOptional ? Object.keys(entry.optionalDependencies ?? {}) : []),
      ];
      for (const dependency of edges) {
        const target = resolve(path, dependency);
        if (target !== undefined && !seen.has(target)) queue.push(target);
      }
    }
    return seen;
  };
  const required = reach(false);
  const all = reach(true);
  const pruned = {
    '': { name, version, dependencies },
  };
  for (const path of [...all].sort()) {
    const entry = { ...packages[path] };
    for (const flag of ['dev', 'devOptional', 'optional', 'peer']) delete entry[flag];
    pruned[path] = required.has(path) ? entry : { ...entry, optional: true };
  }
  return { name, version, lockfileVersion: 3, requires: true, packages: pruned };
}

module.exports = { prunedLockfile };
