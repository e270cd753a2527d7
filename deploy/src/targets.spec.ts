import { MissingToolError, UsageError } from './cli/usage-error';
import { type Requirement, requireTarget } from './targets';

describe('deploy targets', () => {
  const nothing = (): boolean => false;

  it('local needs nothing beyond node', async () => {
    await expect(requireTarget('local', nothing)).resolves.toBe('local');
  });

  it('docker and kubernetes say exactly what the machine lacks (exit 2)', async () => {
    await expect(requireTarget('docker', nothing)).rejects.toThrow(
      new MissingToolError(
        'the docker target needs the Pulumi CLI (`pulumi` on PATH; see pulumi.com/docs/install) and ' +
          'a running Docker engine (`docker info` must answer), which this machine does not have',
      ),
    );
    const onlyPulumi = (requirement: Requirement): boolean => requirement === 'pulumi';
    await expect(requireTarget('kubernetes', onlyPulumi)).rejects.toThrow(
      new MissingToolError(
        'the kubernetes target needs kubectl with a current context (`kubectl config current-context`), ' +
          'which this machine does not have',
      ),
    );
    await expect(requireTarget('kubernetes', () => true)).resolves.toBe('kubernetes');
  });

  it('refuses an unknown target', async () => {
    await expect(requireTarget('heroku', nothing)).rejects.toThrow(
      new UsageError('--target heroku: choose from local, docker, kubernetes'),
    );
  });
});
