import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** What one service stack gives each replica, from its `Pulumi.<process>-<env>.yaml`. */
export interface StackResources {
  target: 'docker' | 'kubernetes';
  stack: string;
  replicas?: number;
  /** Kubernetes: the autoscaler's ceiling. */
  maxReplicas?: number;
  /** CPUs requested per replica. */
  cpu?: number;
  memoryMb?: number;
}

/** A secret a Pulumi program requires (`config.requireSecret('authJwtSecret')`). */
export interface RequiredSecret {
  /** `docker/service`, `kubernetes/platform`. */
  program: string;
  /** `authJwtSecret`; a computed name keeps its template (`${process.name}NatsPassword`). */
  key: string;
}

const TARGETS = ['docker', 'kubernetes'] as const;
const PROGRAMS = ['platform', 'service'] as const;

/** The per-replica resources of every service stack of `process` in the tree at `root`. */
export function stackResourcesOf(root: string, process: string): StackResources[] {
  const found: StackResources[] = [];
  for (const target of TARGETS) {
    const folder = join(root, 'infra', target, 'service');
    if (!existsSync(folder)) continue;
    for (const file of readdirSync(folder).sort()) {
      const stack = /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1];
      if (stack === undefined || !stack.startsWith(`${process}-`)) continue;
      const config = stackConfig(join(folder, file));
      const number = (key: string): number | undefined => {
        const value = config[key];
        return value === undefined || !Number.isFinite(Number(value)) ? undefined : Number(value);
      };
      found.push(
        withoutUndefined({
          target,
          stack,
          replicas: number('replicas'),
          maxReplicas: number('maxReplicas'),
          cpu: number('cpu'),
          memoryMb: number('memoryMb'),
        }),
      );
    }
  }
  return found;
}

/** A stack file's `config:` with the project prefix dropped (`service-k8s:cpu` → `cpu`). */
function stackConfig(path: string): Record<string, unknown> {
  const parsed = (parse(readFileSync(path, 'utf8')) ?? {}) as { config?: Record<string, unknown> };
  return Object.fromEntries(
    Object.entries(parsed.config ?? {}).map(([key, value]) => [key.replace(/^[^:]*:/, ''), value]),
  );
}

const REQUIRE_SECRET = /\brequireSecret(?:<[^>]*>)?\(\s*(['"`])((?:(?!\1).)+)\1/g;

/**
 * The secrets each Pulumi program requires (`config.requireSecret(…)` in its own files, read as
 * text), and those of the shared components (`infra/components`) as a program of their own: which
 * program calls a component's reader is not read here. A secret is set by hand per stack (`pulumi
 * config set --secret`), so one a change starts requiring fails the next `up` until it is set.
 */
export function requiredSecrets(root: string): RequiredSecret[] {
  const folders = [
    ...TARGETS.flatMap((target) =>
      PROGRAMS.map((program) => ({
        program: `${target}/${program}`,
        folder: join(root, 'infra', target, program),
      })),
    ),
    { program: 'components', folder: join(root, 'infra', 'components') },
  ];
  const found: RequiredSecret[] = [];
  for (const { program, folder } of folders) {
    if (!existsSync(folder)) continue;
    const keys = new Set<string>();
    for (const file of readdirSync(folder).sort()) {
      if (!/\.ts$/.test(file) || /\.(spec|int-spec)\.ts$/.test(file)) continue;
      for (const match of readFileSync(join(folder, file), 'utf8').matchAll(REQUIRE_SECRET)) {
        keys.add(match[2]);
      }
    }
    for (const key of [...keys].sort()) found.push({ program, key });
  }
  return found;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
