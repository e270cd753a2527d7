import { Listr } from 'listr2';
import { UsageError } from '../cli/usage-error';
import { type Release, ReleaseStore } from '../releases/release-store';
import { releaseChanges } from '../report/release-report';
import { type Checkout, checkoutOf } from '../run/checkout';
import { type GateRules, gateThroughGateways } from '../run/gate';
import { deployedBy, failRelease, StepFailed } from '../run/run.command';
import { runChecks, STEP_LIST_OPTIONS, StepRecorder } from '../run/steps';
import {
  pulumiDeployOf,
  pulumiInChildProcesses,
  type PulumiStacks,
  pulumiStackOf,
  type StackPlacement,
  stackPlacement,
} from './pulumi-deploy';

export interface PulumiRunOptions {
  env: string;
  target: 'docker' | 'kubernetes';
  sha: string;
  skipChecks?: boolean;
  /**
   * The environment's gateways, watched by the health gate after `up`. With none, the gate is the
   * rollout's own: Kubernetes and the Docker stack wait for the new containers' readiness.
   */
  gateways: string[];
  rules: GateRules;
  /** Recorded on the release: why it was deployed, when not a plain deploy. */
  reason?: string;
}

/** What `runPulumi` works with; tests give it a fake `stacks`, it has no other way to run here. */
export interface PulumiRunTools {
  stacks: PulumiStacks;
  checkout(sha: string): Promise<Checkout>;
  /** `upstreams`: the gateway's names of what the stack runs (its domains, in a monolith four). */
  gate(gateways: string[], upstreams: string[], rules: GateRules): Promise<string | undefined>;
  /** `deploy report` of the release against the sha the stack runs, for the release record. */
  changes: typeof releaseChanges;
}

export function pulumiTools(workspaceRoot: string): PulumiRunTools {
  return {
    stacks: pulumiInChildProcesses(workspaceRoot),
    checkout: (sha) => checkoutOf(workspaceRoot, sha),
    gate: gateThroughGateways,
    changes: releaseChanges,
  };
}

interface Context {
  release: Release;
  checkout?: Checkout;
  /** The sha the stack runs before this deploy (its last successful update): the rollback. */
  running?: string;
  placement?: StackPlacement;
}

/**
 * `deploy run <service> --target docker|kubernetes`: checkout → checks → `pulumi up` of the
 * service's own stack (the stack builds the image from the checkout, tagged with the sha; the
 * platform's rolling update replaces the containers behind a stable address) → health gate. When
 * `up` or the gate fails, the stack is brought back to the sha it ran before, from a checkout of
 * that commit, and the release is recorded `rolled-back`.
 */
export async function runPulumi(
  workspaceRoot: string,
  service: string,
  options: PulumiRunOptions,
  tools: PulumiRunTools = pulumiTools(workspaceRoot),
): Promise<Release> {
  const store = ReleaseStore.forWorkspace(workspaceRoot, `${options.target}-${options.env}`);
  return store.withLock(service, async () => {
    const previous = store.live(service);
    const release = store.create({
      service,
      env: options.env,
      sha: options.sha,
      deployedBy: deployedBy(),
      previousId: previous?.id,
      reason: options.reason,
    });
    const context: Context = { release };
    const stackOf = (root: string, sha: string) =>
      pulumiDeployOf(root, options.target, service, options.env, sha);
    const steps = new StepRecorder<Context>('checkout');
    const tasks = new Listr<Context>(
      [
        steps.step('checkout', async (ctx) => {
          ctx.checkout = await tools.checkout(options.sha);
          return ctx.checkout.describe;
        }),
        steps.step('stack', async (ctx) => {
          const root = (ctx.checkout as Checkout).root;
          const deploy = stackOf(root, options.sha);
          ctx.placement = stackPlacement(deploy, service, root);
          ctx.running = (await tools.stacks.deployed(deploy))[0];
          const hosting =
            ctx.placement.topology === 'services'
              ? ''
              : `, topology ${ctx.placement.topology} (${ctx.placement.upstreams.join(', ')})`;
          return `${deploy.stackName} (${options.target}${hosting}), running ${ctx.running?.slice(0, 12) ?? 'nothing yet'}`;
        }),
        {
          ...steps.step('report', async (ctx) => {
            const placement = ctx.placement as StackPlacement;
            const changes = await tools.changes((ctx.checkout as Checkout).root, {
              base: ctx.running as string,
              head: options.sha,
              topology: placement.topology,
              host: placement.host,
            });
            ctx.release = store.update(ctx.release.id, { changes });
            return changes.unavailable === undefined
              ? `recorded what changed since ${changes.base.slice(0, 12)}`
              : `no report: ${changes.unavailable}`;
          }),
          skip: (ctx) =>
            ctx.running === undefined || ctx.running === options.sha
              ? 'nothing running before it to compare with'
              : false,
        },
        {
          ...steps.step('checks', (ctx) =>
            runChecks(
              (ctx.checkout as Checkout).root,
              (ctx.placement as StackPlacement).host,
              options.sha,
              ctx.running,
            ),
          ),
          skip: () => (options.skipChecks ? 'checks skipped (--skip-checks)' : false),
        },
        steps.step('pulumi up', async (ctx) => {
          await tools.stacks.up(stackOf((ctx.checkout as Checkout).root, options.sha));
        }),
        steps.step('health gate', async (ctx) => {
          if (options.gateways.length === 0)
            return "the rollout's readiness probes (no --gateway to watch)";
          const { upstreams } = ctx.placement as StackPlacement;
          const problem = await tools.gate(options.gateways, upstreams, options.rules);
          if (problem !== undefined) throw new Error(problem);
          return `healthy for ${options.rules.gateSeconds} s through ${options.gateways.length} gateway(s)`;
        }),
      ],
      STEP_LIST_OPTIONS,
    );
    try {
      await tasks.run(context);
    } catch (error) {
      const problem = (error as Error).message;
      const changed = steps.current === 'pulumi up' || steps.current === 'health gate';
      if (!changed || context.running === undefined || context.running === options.sha)
        throw failRelease(store, release.id, steps.current, error);
      const back = context.running;
      const undo = await restore(tools, back, (root) => stackOf(root, back));
      store.update(release.id, {
        result: undo === undefined ? 'rolled-back' : 'failed',
        failedStep: steps.current,
        reason:
          undo === undefined
            ? `${problem}; rolled back to ${back.slice(0, 12)}`
            : `${problem}; the rollback to ${back.slice(0, 12)} failed too: ${undo}`,
        finishedAt: new Date().toISOString(),
      });
      throw new StepFailed(
        steps.current,
        undo === undefined
          ? `${problem}; rolled back to ${back.slice(0, 12)}`
          : `${problem}; the rollback to ${back.slice(0, 12)} failed too (${undo}): the stack needs a person`,
      );
    } finally {
      await context.checkout?.remove().catch(() => undefined);
    }
    if (previous) store.update(previous.id, { result: 'superseded' });
    return store.update(release.id, { result: 'live', finishedAt: new Date().toISOString() });
  });
}

/** `pulumi up` of the sha that ran before, from a checkout of it; the error's message if it fails. */
async function restore(
  tools: PulumiRunTools,
  sha: string,
  deployOf: (root: string) => ReturnType<typeof pulumiDeployOf>,
): Promise<string | undefined> {
  let checkout: Checkout | undefined;
  try {
    process.stdout.write(`Rolling back to ${sha.slice(0, 12)}…\n`);
    checkout = await tools.checkout(sha);
    await tools.stacks.up(deployOf(checkout.root));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await checkout?.remove().catch(() => undefined);
  }
}

/**
 * `deploy rollback <service> --target docker|kubernetes`: a deploy of the sha the stack ran before
 * the one it runs now, as its own history says (so it works from any machine, a CI runner too).
 */
export async function rollbackPulumi(
  workspaceRoot: string,
  service: string,
  options: Omit<PulumiRunOptions, 'sha' | 'skipChecks' | 'reason'>,
  tools: PulumiRunTools = pulumiTools(workspaceRoot),
): Promise<Release> {
  const stack = pulumiStackOf(workspaceRoot, options.target, service, options.env);
  const [running, ...before] = await tools.stacks.deployed(stack);
  const previous = before.find((sha) => sha !== running);
  if (running === undefined || previous === undefined) {
    throw new UsageError(
      `${service} in ${options.target} ${options.env}: the stack ${stack.stackName} has no earlier sha to roll back to`,
    );
  }
  return runPulumi(
    workspaceRoot,
    service,
    {
      ...options,
      sha: previous,
      // It ran there before; its checks ran when it first shipped.
      skipChecks: true,
      reason: `rollback from ${running.slice(0, 12)}`,
    },
    tools,
  );
}
