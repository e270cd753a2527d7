import { existsSync, readFileSync } from 'node:fs';
import { arch, cpus, loadavg, release, totalmem, type } from 'node:os';
import { dirname, join } from 'node:path';

export interface MachineFacts {
  node: string;
  v8: string;
  os: string;
  cpuCount: number;
  cpuModel: string;
  memoryGiB: number;
  natsServer: string;
  packages: Record<string, string>;
  /** 1-minute load average before the first run: anything well above 0 means a busy machine. */
  loadAverageAtStart: number;
}

/** `extraPackages`: versions to record beyond nats.js, Nest and zod (the events suite adds TypeORM and pg). */
export function machineFacts(
  natsServerVersion: string,
  extraPackages: string[] = [],
): MachineFacts {
  const cores = cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    os: `${type()} ${release()} ${arch()}`,
    cpuCount: cores.length,
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    natsServer: natsServerVersion,
    packages: Object.fromEntries(
      ['nats', '@nestjs/core', '@nestjs/microservices', 'zod', ...extraPackages].map((name) => [
        name,
        packageVersion(name),
      ]),
    ),
    loadAverageAtStart: loadavg()[0] ?? 0,
  };
}

function packageVersion(name: string): string {
  const manifest = (path: string): { name?: string; version?: string } =>
    JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
  try {
    return manifest(require.resolve(`${name}/package.json`)).version ?? 'unknown';
  } catch {
    // An `exports` map may hide package.json (TypeORM's does): walk up from the entry point.
    try {
      for (let dir = dirname(require.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
        const candidate = join(dir, 'package.json');
        if (existsSync(candidate) && manifest(candidate).name === name) {
          return manifest(candidate).version ?? 'unknown';
        }
      }
    } catch {
      // not installed
    }
    return 'unknown';
  }
}
