import {
  spawnService,
  spawnTopologyProcess,
  freePort,
  type ServiceProcess,
  type TestEnvironment,
} from '@switchboard/platform-testing';
import { join } from 'node:path';

export const workspaceRoot = join(__dirname, '..', '..');

/** Path of a service's built entry point (`nx build <name>` puts it there). */
export function entryOf(service: string): string {
  return join(workspaceRoot, 'dist', 'services', service, 'main.js');
}

/** Starts the built service as its own process on a free port, wired to the suite's NATS and database. */
export async function startService(
  env: TestEnvironment,
  service: string,
  extra: Record<string, string> = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  return spawnService({
    name: service,
    entry: entryOf(service),
    port,
    env: { ...env.envFor(service, extra), HOST: '127.0.0.1' },
  });
}

/** The four domains, each with its own test database. */
export const DOMAINS = ['chat', 'stories', 'calls', 'bots'];

/** Starts the built monolith hosting `domains` (HOST_DOMAINS), each on its test database. */
export async function startMonolith(
  env: TestEnvironment,
  domains: string[] = DOMAINS,
  extra: Record<string, string> = {},
): Promise<ServiceProcess> {
  return spawnTopologyProcess({
    workspaceRoot,
    env,
    process: { name: 'monolith', host: 'monolith', domains },
    port: await freePort(),
    extra,
  });
}

export async function json<T>(response: Response): Promise<T> {
  const text = await response.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`Expected JSON, got ${response.status}: ${text}`);
  }
}
