import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const script = join(__dirname, 'up.sh');

/** Runs up.sh with a PATH holding only the given fake tools (bash itself is called by path). */
function run(args: string[], tools: Record<string, string> = {}) {
  const bin = mkdtempSync(join(tmpdir(), 'sb-up-'));
  try {
    for (const [name, body] of Object.entries(tools)) {
      const file = join(bin, name);
      writeFileSync(file, `#!/bin/bash\n${body}\n`);
      chmodSync(file, 0o755);
    }
    return spawnSync('/bin/bash', [script, ...args], {
      encoding: 'utf8',
      env: { PATH: bin, HOME: bin },
    });
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

describe('infra/scripts/up.sh', () => {
  it('says plainly that the Pulumi CLI is missing and exits 2', () => {
    const result = run(['platform', 'dev']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("the Pulumi CLI ('pulumi') is not installed or not on PATH");
  });

  it('says plainly that Docker is missing and exits 2', () => {
    const result = run(['chat', 'dev'], { pulumi: 'exit 0' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Docker ('docker') is not installed or not on PATH");
  });

  it('tells an installed Docker from a running engine', () => {
    const result = run(['chat', 'dev'], { pulumi: 'exit 0', docker: 'exit 1' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("its engine is not reachable ('docker info' failed)");
  });

  it('selects the <service>-<env> stack in the service program and runs pulumi up', () => {
    const result = run(['stories', 'staging', '--yes'], {
      pulumi: 'echo "pulumi $* in ${PWD##*/infra/}"',
      docker: 'exit 0',
      git: 'echo 0123456789ab',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      'pulumi stack select --create stories-staging in docker/service',
      'pulumi up --stack stories-staging --yes in docker/service',
      '',
    ]);
  });

  it('deploys the gateway with the service program like the other services', () => {
    const result = run(['gateway', 'dev'], {
      pulumi: 'echo "pulumi $* in ${PWD##*/infra/}"',
      docker: 'exit 0',
      git: 'echo 0123456789ab',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('pulumi up --stack gateway-dev in docker/service');
  });

  it('deploys the monolith of an environment in the monolith topology', () => {
    const result = run(['monolith', 'solo'], {
      pulumi: 'echo "pulumi $* in ${PWD##*/infra/}"',
      docker: 'exit 0',
      git: 'echo 0123456789ab',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('pulumi up --stack monolith-solo in docker/service');
  });

  it('rejects a process without a committed stack for that environment, with its usage', () => {
    const result = run(['monolith', 'dev'], { pulumi: 'exit 0', docker: 'exit 0' });
    expect(result.status).toBe(64);
    expect(result.stderr).toContain('Pulumi.<process>-<env>.yaml');
  });

  it('rejects an unknown stack family with its usage', () => {
    const result = run(['presence', 'dev']);
    expect(result.status).toBe(64);
    expect(result.stderr).toContain('usage: infra/scripts/up.sh');
  });
});
