import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { JwtVerifier } from './jwt-verifier.service';
import { DEV_JWT_SECRET } from './jwt-secret.config';

// libs/platform/auth/src/lib → workspace root
const WORKSPACE_ROOT = resolve(__dirname, '../../../../..');
const SCRIPT = resolve(WORKSPACE_ROOT, 'tools/scripts/token.mjs');

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runTokenScript(args: string[], secret?: string): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['AUTH_JWT_SECRET'];
  if (secret !== undefined) env['AUTH_JWT_SECRET'] = secret;

  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], { cwd: WORKSPACE_ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('npm run token (tools/scripts/token.mjs)', () => {
  it('prints only a token that services verify with the dev default secret', async () => {
    const { code, stdout, stderr } = await runTokenScript(['alice']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(stderr).toMatch(/dev default secret/);

    const verifier = new JwtVerifier({ jwtSecret: DEV_JWT_SECRET });
    await expect(verifier.verify(stdout.trim())).resolves.toMatchObject({ id: 'alice' });
  });

  it('signs with AUTH_JWT_SECRET when it is set', async () => {
    const secret = 'script-test-secret-script-test-secret-0123';
    const { code, stdout } = await runTokenScript(['bob@example.com'], secret);
    expect(code).toBe(0);

    const token = stdout.trim();
    await expect(new JwtVerifier({ jwtSecret: secret }).verify(token)).resolves.toMatchObject({
      id: 'bob@example.com',
    });
    await expect(new JwtVerifier({ jwtSecret: DEV_JWT_SECRET }).verify(token)).rejects.toThrow(
      /signature/,
    );
  });

  it('exits 2 with usage on stderr and nothing on stdout when the user id is missing', async () => {
    const { code, stdout, stderr } = await runTokenScript([]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/Usage: npm run -s token -- <userId>/);
  });

  it.each([['has space'], ['x'.repeat(65)], ['semi;colon'], ['']])(
    'exits 2 for the invalid user id %j',
    async (userId) => {
      const { code, stdout, stderr } = await runTokenScript([userId]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/Invalid user id/);
    },
  );

  it('exits 1 when AUTH_JWT_SECRET is too short for HS256', async () => {
    const { code, stdout, stderr } = await runTokenScript(['alice'], 'short');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/AUTH_JWT_SECRET is too short/);
  });
});
