/**
 * `node -r deploy/register.cjs pulumi-stack.child.ts <up|deployed> '<PulumiDeploy JSON>'`, one
 * Automation API operation on a service's stack, in a process of its own:
 *
 * - `up` sets the stack's config and runs `pulumi up`, streaming Pulumi's output;
 * - `deployed` prints, as the last line, the shas of the stack's successful updates, newest first
 *   (from the stack's own history, so it holds wherever `deploy` runs — a CI runner keeps nothing).
 *
 * Needs the Pulumi CLI (the Automation API drives it); `deploy` checks for it first.
 */
import { LocalWorkspace } from '@pulumi/pulumi/automation';
import { GIT_SHA_KEY, type PulumiDeploy } from './pulumi-deploy';

async function main(): Promise<void> {
  const [operation, json] = process.argv.slice(2);
  const deploy = JSON.parse(json ?? '') as PulumiDeploy;
  const stack = await LocalWorkspace.selectStack({
    stackName: deploy.stackName,
    workDir: deploy.workDir,
  });
  if (operation === 'deployed') {
    const history = await stack.history();
    const shas = history
      .filter((update) => update.kind === 'update' && update.result === 'succeeded')
      .map((update) => update.config[GIT_SHA_KEY]?.value)
      .filter((sha): sha is string => sha !== undefined);
    process.stdout.write(`${JSON.stringify(shas)}\n`);
    return;
  }
  if (operation !== 'up') throw new Error(`unknown operation ${operation}: up or deployed`);
  await stack.setAllConfig(deploy.config);
  const result = await stack.up({ onOutput: (line) => process.stdout.write(line) });
  process.stdout.write(
    `\n${JSON.stringify({ result: result.summary.result, outputs: Object.keys(result.outputs) })}\n`,
  );
  if (result.summary.result !== 'succeeded') process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
});
