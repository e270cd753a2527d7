#!/usr/bin/env node
// Adds lock entries for platform-specific optional packages the registry did not serve.
//
// Packages such as sass-embedded (pulled in by @nx/webpack) list one optional dependency per
// platform. When `npm install` runs against a registry that serves only this machine's platform,
// npm leaves the others out of package-lock.json, and `npm ci` then refuses the lock as out of sync
// ("Missing: sass-embedded-darwin-arm64@ from lock file"). An entry with the version and the
// platform filters is all `npm ci` needs: it skips packages for other platforms without fetching
// them. Run this after `npm install` whenever that error appears: `node tools/scripts/complete-lockfile.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const lockPath = join(root, 'package-lock.json');
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const packages = lock.packages;

/** os / cpu / libc filters from a platform package's name, e.g. `…-linux-musl-arm64`. */
function platformOf(name) {
  const OSES = ['android', 'darwin', 'linux', 'win32', 'freebsd'];
  const CPUS = ['arm', 'arm64', 'ia32', 'riscv64', 'x64'];
  const parts = name.split('-');
  const os = parts.find((part) => OSES.includes(part));
  const cpu = [...parts].reverse().find((part) => CPUS.includes(part));
  const filters = {};
  if (os && cpu) {
    filters.os = [os];
    filters.cpu = [cpu];
    if (parts.includes('musl')) filters.libc = 'musl';
  } else if (name.endsWith('-all-unknown')) {
    filters.cpu = CPUS.map((value) => `!${value}`); // any OS, an unknown CPU
  } else if (name.endsWith('-unknown-all')) {
    filters.os = OSES.map((value) => `!${value}`); // an unknown OS, any CPU
  } else {
    return null;
  }
  return filters;
}

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  if (!path.startsWith('node_modules/') || !entry.optionalDependencies) continue;
  for (const [dependency, version] of Object.entries(entry.optionalDependencies)) {
    const key = `node_modules/${dependency}`;
    if (packages[key]) continue;
    const filters = platformOf(dependency);
    if (!filters) continue;
    packages[key] = { version, ...(entry.dev ? { dev: true } : {}), optional: true, ...filters };
    added += 1;
  }
}

// npm sorts entries by path; keep the file stable for reviews.
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(
  `package-lock.json: ${added} platform package entr${added === 1 ? 'y' : 'ies'} added\n`,
);
