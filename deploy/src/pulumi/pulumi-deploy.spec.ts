import { join } from 'node:path';
import { pulumiChildCommand, pulumiDeployOf } from './pulumi-deploy';

const ROOT = join(__dirname, '..', '..', '..');
const SHA = '0123456789abcdef0123456789abcdef01234567';

describe('deploy run on a Pulumi target: what it runs', () => {
  it.each(['docker', 'kubernetes'] as const)(
    '%s: the service stack <service>-<env>, the commit as gitSha',
    (target) => {
      expect(pulumiDeployOf(ROOT, target, 'chat', 'staging', SHA)).toEqual({
        target,
        workDir: join(ROOT, 'infra', target, 'service'),
        stackName: 'chat-staging',
        config: { 'service:gitSha': { value: SHA } },
      });
    },
  );

  it('refuses a stack that has no config file, naming the file to add', () => {
    expect(() => pulumiDeployOf(ROOT, 'docker', 'chat', 'production', SHA)).toThrow(
      'docker: no stack chat-production; add infra/docker/service/Pulumi.chat-production.yaml',
    );
  });

  it.each(['up', 'deployed'] as const)(
    'runs each %s in a child process of its own, the deploy passed whole',
    (operation) => {
      const deploy = pulumiDeployOf(ROOT, 'kubernetes', 'calls', 'dev', SHA);
      const { command, args } = pulumiChildCommand(ROOT, operation, deploy);
      expect(command).toBe(process.execPath);
      expect(args.slice(0, 4)).toEqual([
        '-r',
        join(ROOT, 'deploy', 'register.cjs'),
        join(ROOT, 'deploy', 'src', 'pulumi', 'pulumi-stack.child.ts'),
        operation,
      ]);
      expect(JSON.parse(args[4] as string)).toEqual(deploy);
    },
  );
});
