import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

export const workspaceRoot = join(__dirname, '..', '..', '..');

/** The services `nx build` turns into deployables, with the port their image exposes. */
export const SERVICES = {
  chat: 3101,
  stories: 3102,
  calls: 3103,
  bots: 3104,
  gateway: 3000,
} as const;
export type ServiceName = keyof typeof SERVICES;

/**
 * Packages a service needs although its bundle never names them in a `require(...)`: TypeORM loads
 * the driver DATABASE_URL names (`pg`, `better-sqlite3`); `@nestjs/platform-fastify` and
 * `nestjs-pino` take `fastify`, `pino` and `pino-http` as peers.
 */
export const LOADED_AT_RUN_TIME = ['better-sqlite3', 'fastify', 'pg', 'pino', 'pino-http'];

/** Build tools and test runners that must never reach an image. */
export const DEV_TOOLS =
  /^(@nx\/|nx$|jest|@jest\/|@swc\/|webpack|typescript$|ts-node$|eslint|prettier$|@types\/)/;

/**
 * Type declarations a runtime dependency itself lists under `dependencies` (not dev): npm installs
 * them with it, and they reach the image as files nobody loads. Each is named with the package
 * that requires it, which the install test checks, so any other dev tool still fails it:
 * `@opentelemetry/instrumentation-pg` (the Postgres spans of tracing) declares `@types/pg` and
 * `@types/pg-pool`, and `@types/pg` declares `@types/node`.
 */
export const TYPES_REQUIRED_AT_RUN_TIME: Record<string, string> = {
  '@types/pg': '@opentelemetry/instrumentation-pg',
  '@types/pg-pool': '@opentelemetry/instrumentation-pg',
  '@types/node': '@types/pg',
};

export interface Manifest {
  name: string;
  private?: boolean;
  type?: string;
  main?: string;
  engines?: Record<string, string>;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, { version?: string; dependencies?: Record<string, string> }>;
}

export function distOf(service: string): string {
  return join(workspaceRoot, 'dist', 'services', service);
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Packages a CommonJS bundle requires (`@scope/name/deep` → `@scope/name`), Node builtins left out. */
export function requiredPackages(bundle: string): string[] {
  const names = new Set<string>();
  for (const [, request] of bundle.matchAll(/require\("([^"./][^"]*)"\)/g)) {
    if (request === undefined || request.startsWith('node:') || builtinModules.includes(request))
      continue;
    const parts = request.split('/');
    names.add(request.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? request));
  }
  return [...names].sort();
}

/** Bytes under `path`, symlinks not followed. */
export function folderSize(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) total += folderSize(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

/**
 * The environment for an `npm` run outside the workspace: what `npx jest` exported about the
 * workspace (its prefix, package and lifecycle) is removed so npm sees only the folder it runs in;
 * machine settings (cache, registry, certificates, node-gyp) stay. NODE_PATH goes too: nothing may
 * resolve from the repository's node_modules.
 */
export function isolatedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      /^npm_(package_|lifecycle_|command$|execpath$|config_local_prefix$|config_allow_scripts$)/i.test(
        key,
      )
    )
      continue;
    if (key === 'NODE_PATH' || key === 'INIT_CWD') continue;
    env[key] = value;
  }
  return env;
}

export interface CommandResult {
  code: number | null;
  output: string;
  ms: number;
}

/** Runs a command to completion, collecting stdout and stderr together. */
export async function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CommandResult> {
  const started = Date.now();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? isolatedEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  return { code, output, ms: Date.now() - started };
}

export function printFigures(title: string, figures: Record<string, string | number>): void {
  const width = Math.max(...Object.keys(figures).map((key) => key.length));
  const lines = Object.entries(figures).map(([key, value]) => `  ${key.padEnd(width)}  ${value}`);
  process.stdout.write(`\n[deploy] ${title}\n${lines.join('\n')}\n`);
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
