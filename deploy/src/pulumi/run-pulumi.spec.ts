import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReleaseStore } from '../releases/release-store';
import { type PulumiDeploy } from './pulumi-deploy';
import { rollbackPulumi, type PulumiRunTools, runPulumi } from './run-pulumi';

const OLD = 'a'.repeat(40);
const NEW = 'b'.repeat(40);
const RULES = { gateSeconds: 1, gateMaxErrorRate: 0.01, gateMinRequests: 1 };

/**
 * The Pulumi targets' deploy, rollback and record keeping, with the stacks faked: this machine has
 * no Pulumi CLI to run them (the children's command lines are tested in pulumi-deploy.spec.ts, the
 * gate against a real gateway in gate.int-spec.ts). A stack here is the list of shas it was up'd with.
 */
describe('deploy run / rollback on a Pulumi target: gate and automatic rollback', () => {
  let root: string;
  let ups: string[];
  let history: string[];
  let checkouts: string[];
  let failUp: Set<string>;
  let gateProblem: string | undefined;
  let gated: string[][];
  let reported: string[][];

  const tools = (): PulumiRunTools => ({
    stacks: {
      up: async (deploy: PulumiDeploy) => {
        const sha = deploy.config['service:gitSha']?.value as string;
        ups.push(sha);
        if (failUp.has(sha)) throw new Error('pulumi up exited with 1');
        history.unshift(sha);
      },
      deployed: async () => [...history],
    },
    checkout: async (sha) => {
      checkouts.push(sha);
      return {
        root,
        describe: `a worktree of ${sha}`,
        remove: () => Promise.resolve(),
      };
    },
    gate: async (_gateways, upstreams) => {
      gated.push(upstreams);
      return gateProblem;
    },
    changes: async (_root, { base, head }) => {
      reported.push([base, head]);
      return { base };
    },
  });
  const options = {
    env: 'staging',
    target: 'docker' as const,
    gateways: ['http://gw'],
    rules: RULES,
  };
  const store = () => ReleaseStore.forWorkspace(root, 'docker-staging');

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'deploy-pulumi-'));
    mkdirSync(join(root, 'infra', 'docker', 'service'), { recursive: true });
    writeFileSync(join(root, 'infra', 'docker', 'service', 'Pulumi.chat-staging.yaml'), '');
    ups = [];
    history = [OLD];
    checkouts = [];
    failUp = new Set();
    gateProblem = undefined;
    gated = [];
    reported = [];
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('ups the new sha and keeps it when the gate passes', async () => {
    const release = await runPulumi(
      root,
      'chat',
      { ...options, sha: NEW, skipChecks: true },
      tools(),
    );
    expect(ups).toEqual([NEW]);
    expect(release).toMatchObject({ sha: NEW, result: 'live' });
    // What it changed against the sha the stack ran is recorded with it.
    expect(reported).toEqual([[OLD, NEW]]);
    expect(release.changes).toEqual({ base: OLD });
  });

  it('gates the monolith of a monolith environment on the four domains it hosts', async () => {
    mkdirSync(join(root, 'topologies'));
    copyFileSync(
      join(__dirname, '..', '..', '..', 'topologies', 'monolith.json'),
      join(root, 'topologies', 'monolith.json'),
    );
    const stacks = join(root, 'infra', 'docker', 'service');
    writeFileSync(
      join(stacks, 'Pulumi.monolith-staging.yaml'),
      'config:\n  service:topology: monolith\n',
    );
    const release = await runPulumi(
      root,
      'monolith',
      { ...options, sha: NEW, skipChecks: true },
      tools(),
    );
    expect(release).toMatchObject({ service: 'monolith', sha: NEW, result: 'live' });
    // The monolith's domains, as its topology lists them (a generated domain too).
    const { processes } = JSON.parse(
      readFileSync(join(root, 'topologies', 'monolith.json'), 'utf8'),
    ) as { processes: { name: string; domains?: string[] }[] };
    expect(gated).toEqual([processes.find((process) => process.name === 'monolith')?.domains]);
    expect(gated[0]?.slice(0, 4)).toEqual(['chat', 'stories', 'calls', 'bots']);
    // Without the key a stack is today's default: the service is its own upstream.
    await runPulumi(root, 'chat', { ...options, sha: NEW, skipChecks: true }, tools());
    expect(gated[1]).toEqual(['chat']);
    // A stack of a process its topology does not run is refused before anything changes.
    writeFileSync(
      join(stacks, 'Pulumi.chat-staging.yaml'),
      'config:\n  service:topology: monolith\n',
    );
    await expect(
      runPulumi(root, 'chat', { ...options, sha: OLD, skipChecks: true }, tools()),
    ).rejects.toThrow(
      'chat-staging: topology monolith has no process chat; it runs monolith, gateway',
    );
    expect(ups).toEqual([NEW, NEW]);
  });

  it('a failed up is rolled back to the sha the stack ran, from a checkout of it', async () => {
    failUp.add(NEW);
    await expect(
      runPulumi(root, 'chat', { ...options, sha: NEW, skipChecks: true }, tools()),
    ).rejects.toThrow(
      `failed at "pulumi up": pulumi up exited with 1; rolled back to ${OLD.slice(0, 12)}`,
    );
    expect(ups).toEqual([NEW, OLD]);
    expect(checkouts).toEqual([NEW, OLD]);
    expect(store().latest('chat')).toMatchObject({
      sha: NEW,
      result: 'rolled-back',
      failedStep: 'pulumi up',
    });
  });

  it('a release the gate finds failing is rolled back and recorded with the reason', async () => {
    gateProblem = '30 of 40 requests answered 5xx (75.0 % > 1.0 %) through http://gw';
    await expect(
      runPulumi(root, 'chat', { ...options, sha: NEW, skipChecks: true }, tools()),
    ).rejects.toThrow('failed at "health gate": 30 of 40 requests answered 5xx');
    expect(ups).toEqual([NEW, OLD]);
    expect(history[0]).toBe(OLD);
    expect(store().latest('chat')).toMatchObject({
      result: 'rolled-back',
      failedStep: 'health gate',
      reason: expect.stringContaining(`rolled back to ${OLD.slice(0, 12)}`),
    });
  });

  it('a first deploy that fails has nothing to go back to: recorded failed, no second up', async () => {
    history = [];
    failUp.add(NEW);
    await expect(
      runPulumi(root, 'chat', { ...options, sha: NEW, skipChecks: true }, tools()),
    ).rejects.toThrow('failed at "pulumi up"');
    expect(ups).toEqual([NEW]);
    expect(store().latest('chat')).toMatchObject({ result: 'failed', failedStep: 'pulumi up' });
  });

  it('says so when the rollback fails too', async () => {
    failUp.add(NEW).add(OLD);
    await expect(
      runPulumi(root, 'chat', { ...options, sha: NEW, skipChecks: true }, tools()),
    ).rejects.toThrow('failed too (pulumi up exited with 1): the stack needs a person');
    expect(store().latest('chat')).toMatchObject({ result: 'failed' });
  });

  it('deploy rollback ups the sha the stack ran before the current one, from its history', async () => {
    history = [NEW, NEW, OLD];
    const release = await rollbackPulumi(root, 'chat', options, tools());
    expect(ups).toEqual([OLD]);
    expect(release).toMatchObject({
      sha: OLD,
      result: 'live',
      reason: `rollback from ${NEW.slice(0, 12)}`,
    });
  });

  it('deploy rollback with no earlier sha in the stack is refused', async () => {
    history = [NEW];
    await expect(rollbackPulumi(root, 'chat', options, tools())).rejects.toThrow(
      'the stack chat-staging has no earlier sha to roll back to',
    );
    expect(ups).toEqual([]);
  });
});
