import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Where a Pulumi program deploys, and which of its stacks (`platform-staging`, `chat-dev`). */
export interface StackRef {
  target: 'docker' | 'kubernetes';
  /** `platform` or a service name. */
  program: 'platform' | 'service';
  stack: string;
}

const TARGETS = ['docker', 'kubernetes'] as const;
const PROGRAMS = ['platform', 'service'] as const;
const STACK_FILE = /^Pulumi\.(.+)\.yaml$/;

/** Every stack config (`infra/<target>/<program>/Pulumi.<stack>.yaml`) in the workspace. */
export function listStacks(workspaceRoot: string): StackRef[] {
  const stacks: StackRef[] = [];
  for (const target of TARGETS) {
    for (const program of PROGRAMS) {
      const folder = join(workspaceRoot, 'infra', target, program);
      if (!existsSync(folder)) continue;
      for (const name of readdirSync(folder).sort()) {
        const stack = STACK_FILE.exec(name)?.[1];
        if (stack) stacks.push({ target, program, stack });
      }
    }
  }
  return stacks;
}

/**
 * The stacks an `infra/` file changes: a stack config its own stack; a program's code every stack
 * of that program; the shared components, NATS and stream definitions and the generated manifest
 * (which the platform's NATS permissions come from) every stack of both targets. Tests, mocks and
 * scripts deploy nothing.
 */
export function classifyInfraFile(file: string, stacks: StackRef[]): StackRef[] {
  if (/\.(spec|int-spec)\.ts$/.test(file) || /^infra\/(testing|scripts)\//.test(file)) return [];
  if (/^infra\/(jest\.config\.js|tsconfig.*\.json|project\.json)$/.test(file)) return [];
  const inProgram = /^infra\/(docker|kubernetes)\/(platform|service)\/(.+)$/.exec(file);
  if (inProgram) {
    const [, target, program, rest] = inProgram;
    const own = stacks.filter((s) => s.target === target && s.program === program);
    const stack = STACK_FILE.exec(rest ?? '')?.[1];
    return stack === undefined ? own : own.filter((s) => s.stack === stack);
  }
  const targetShared = /^infra\/(docker|kubernetes)\/[^/]+$/.exec(file);
  if (targetShared) return stacks.filter((s) => s.target === targetShared[1]);
  return stacks;
}
