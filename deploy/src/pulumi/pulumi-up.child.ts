/**
 * `node -r deploy/register.cjs pulumi-up.child.ts '<PulumiDeploy JSON>'`: selects the stack of the
 * service program through the Automation API, sets its config and runs `up`, streaming Pulumi's
 * output. Needs the Pulumi CLI (the Automation API drives it); `deploy` checks for it first.
 */
import { LocalWorkspace } from '@pulumi/pulumi/automation';
import { type PulumiDeploy } from './pulumi-deploy';

async function main(): Promise<void> {
  const deploy = JSON.parse(process.argv[2] ?? '') as PulumiDeploy;
  const stack = await LocalWorkspace.selectStack({
    stackName: deploy.stackName,
    workDir: deploy.workDir,
  });
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
