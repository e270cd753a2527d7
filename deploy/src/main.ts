/**
 * `npm run deploy -- <command>`: the pipeline that ships each service on its own.
 *
 *   plan --base <ref> [--head <ref>] [--json]   which services and stacks a change redeploys, and why
 *
 * Exit codes: 0 done, 1 a step failed, 2 the command was called wrong or a tool is missing here.
 */
import { Command, CommanderError } from 'commander';
import { MissingToolError, UsageError } from './cli/usage-error';
import { planCommand, renderPlan } from './plan/plan.command';
import { topLevel } from './plan/git';

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
    .action(async (options: { base?: string; head?: string; json?: boolean }) => {
      process.chdir(root);
      const plan = await planCommand(root, options);
      process.stdout.write(options.json ? `${JSON.stringify(plan, null, 2)}\n` : renderPlan(plan));
    });

  await program.parseAsync(argv, { from: 'user' });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // Commander has printed the problem (or the help) already.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
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
