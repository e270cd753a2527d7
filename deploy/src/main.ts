/**
 * `npm run deploy -- <command>`: the pipeline that ships each service on its own.
 *
 *   plan --base <ref> [--head <ref>] [--json]   which services and stacks a change redeploys, and why
 *   report --base <ref> [--format md|json]     what operations needs to know before it ships
 *   run <service> --env <env> [--sha <sha>]     checks, build, package, start, switch, gate, drain
 *   status [--env <env>] [--json]               what runs where, since when, by whom, and before
 *   rollback <service> --env <env>              back to the release before the live one
 *
 * On the docker and kubernetes targets, `--gateway <url>` (repeatable) names the gateways the
 * health gate watches; the local target reads them from its environment file.
 *
 * Exit codes: 0 done, 1 a step failed, 2 the command was called wrong or a tool is missing here.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { MissingToolError, UsageError } from './cli/usage-error';
import { resolveCommit, topLevel } from './plan/git';
import { planCommand, renderPlan } from './plan/plan.command';
import { reportCommand } from './report/report.command';
import { renderReportMarkdown } from './report/render-markdown';
import { rollbackPulumi, runPulumi } from './pulumi/run-pulumi';
import { renderStatus, statusOf } from './releases/status.command';
import { rollbackLocal } from './run/rollback.command';
import { runCommandLocal, StepFailed } from './run/run.command';
import { requireTarget, TARGETS, type TargetName } from './targets';

async function main(argv: string[]): Promise<void> {
  const root = await topLevel(process.cwd());
  const program = new Command('deploy')
    .description('Plan, ship, watch and roll back each Switchboard service on its own.')
    .exitOverride()
    .showHelpAfterError();

  program
    .command('plan')
    .description(
      'which services and Pulumi stacks a change must redeploy, and why (from the Nx graph)',
    )
    .option('--base <ref>', 'the last deployed commit (required: no guessed default)')
    .option('--head <ref>', 'the commit to deploy; must be the one checked out', 'HEAD')
    .option('--json', 'print the plan as JSON')
    .option(
      '--topology <name>',
      'the topology the environments run (topologies/<name>.json): its deployables are planned',
      'services',
    )
    .action(async (options: { base?: string; head?: string; json?: boolean; topology: string }) => {
      process.chdir(root);
      const plan = await planCommand(root, options);
      process.stdout.write(options.json ? `${JSON.stringify(plan, null, 2)}\n` : renderPlan(plan));
    });

  program
    .command('report')
    .description(
      'what operations needs to know about a change, per service it redeploys: why, dependencies, ' +
        'messaging and NATS rights, contracts, migrations, configuration, expected load',
    )
    .option('--base <ref>', 'the commit deployed now (required: no guessed default)')
    .option('--head <ref>', 'the commit to ship; must be the one checked out', 'HEAD')
    .option('--format <format>', 'md (a pull request comment) or json', format, 'md')
    .option(
      '--topology <name>',
      'the topology the environments run (topologies/<name>.json)',
      'services',
    )
    .option(
      '--bench <file>',
      'the e2e benchmark report (default: the newest dist/bench/e2e-*.json)',
    )
    .action(
      async (options: {
        base?: string;
        head?: string;
        format: 'md' | 'json';
        topology: string;
        bench?: string;
      }) => {
        process.chdir(root);
        const report = await reportCommand(root, options);
        process.stdout.write(
          options.format === 'json'
            ? `${JSON.stringify(report, null, 2)}\n`
            : renderReportMarkdown(report),
        );
      },
    );

  const run = program
    .command('run <service>')
    .description(
      'ship one service: checks → build → package → start → switch → health gate → drain',
    )
    .requiredOption('--env <env>', 'the environment, e.g. local')
    .option(
      '--sha <sha>',
      'the commit to ship (another than HEAD is built from a worktree of it)',
      'HEAD',
    )
    .option('--target <target>', `where it runs: ${TARGETS.join(', ')}`, 'local')
    .option(
      '--config <file>',
      'the local environment file (default .switchboard/environments/<env>.json)',
    )
    .option('--skip-checks', 'skip lint, typecheck and test (CI ran them on this sha)');
  withGateOptions(run).action(
    async (
      service: string,
      options: {
        env: string;
        sha: string;
        target: TargetName;
        config?: string;
        skipChecks?: boolean;
      } & GateOptions,
    ) => {
      process.chdir(root);
      const target = await requireTarget(options.target);
      if (target === 'local') {
        refuseGateOptionsOnLocal(options);
        const release = await runCommandLocal(root, service, options);
        process.stdout.write(
          `${service} ${release.sha.slice(0, 12)} is live in ${options.env} at ${release.url}\n`,
        );
        return;
      }
      const sha = await resolveCommit(root, options.sha, '--sha');
      const release = await runPulumi(root, service, {
        ...options,
        target,
        sha,
        ...pulumiGate(options),
      });
      process.stdout.write(
        `${service} ${release.sha.slice(0, 12)} is live in ${target} ${options.env}\n`,
      );
    },
  );

  program
    .command('status')
    .description(
      'what version of each service runs where, since when, deployed by whom, and the one before',
    )
    .option('--env <env>', 'the environment', 'local')
    .option('--json', 'print it as JSON')
    .action((options: { env: string; json?: boolean }) => {
      const statuses = statusOf(root, options.env);
      process.stdout.write(
        options.json
          ? `${JSON.stringify(statuses, null, 2)}\n`
          : renderStatus(options.env, statuses),
      );
    });

  const rollback = program
    .command('rollback <service>')
    .description('back to the release that was live before the current one, with no failed request')
    .requiredOption('--env <env>', 'the environment')
    .option('--target <target>', `where it runs: ${TARGETS.join(', ')}`, 'local')
    .option('--config <file>', 'the local environment file');
  withGateOptions(rollback).action(
    async (
      service: string,
      options: { env: string; target: TargetName; config?: string } & GateOptions,
    ) => {
      process.chdir(root);
      const target = await requireTarget(options.target);
      if (target !== 'local') {
        const release = await rollbackPulumi(root, service, {
          env: options.env,
          target,
          ...pulumiGate(options),
        });
        process.stdout.write(
          `${service} is back on ${release.sha.slice(0, 12)} in ${target} ${options.env}\n`,
        );
        return;
      }
      refuseGateOptionsOnLocal(options);
      const release = await rollbackLocal(root, service, options);
      process.stdout.write(
        `${service} is back on ${release.sha.slice(0, 12)} in ${options.env} at ${release.url}\n`,
      );
    },
  );

  await program.parseAsync(argv, { from: 'user' });
}

interface GateOptions {
  gateway: string[];
  gateSeconds: number;
  gateMaxErrorRate: number;
}

/** The health gate's options of the Pulumi targets (the local target has them in its env file). */
function withGateOptions(command: Command): Command {
  return command
    .option(
      '--gateway <url>',
      'docker/kubernetes: a gateway the health gate watches (repeat for each)',
      (value: string, all: string[]) => {
        if (!/^https?:\/\/[^\s/]+/.test(value))
          throw new InvalidArgumentError('an http(s) URL, e.g. https://gateway.staging.example');
        return [...all, value.replace(/\/+$/, '')];
      },
      [] as string[],
    )
    .option('--gate-seconds <seconds>', 'docker/kubernetes: how long the gate watches', number, 60)
    .option(
      '--gate-max-error-rate <share>',
      'docker/kubernetes: largest share of 5xx the gate accepts',
      number,
      0.01,
    );
}

function format(value: string): 'md' | 'json' {
  if (value !== 'md' && value !== 'json') throw new InvalidArgumentError('md or json');
  return value;
}

function number(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0)
    throw new InvalidArgumentError('a number ≥ 0');
  return parsed;
}

function pulumiGate(options: GateOptions) {
  return {
    gateways: options.gateway,
    rules: {
      gateSeconds: options.gateSeconds,
      gateMaxErrorRate: options.gateMaxErrorRate,
      gateMinRequests: 1,
    },
  };
}

function refuseGateOptionsOnLocal(options: GateOptions): void {
  if (options.gateway.length > 0) {
    throw new UsageError(
      '--gateway is for the docker and kubernetes targets; the local target reads its gateways from the environment file',
    );
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // Commander has printed the problem (or the help) already.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof StepFailed) {
    process.stderr.write(`deploy: ${error.message}\n`);
    process.exitCode = 1;
  } else if (error instanceof UsageError || error instanceof MissingToolError) {
    process.stderr.write(`deploy: ${error.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(
      `deploy: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  }
});
