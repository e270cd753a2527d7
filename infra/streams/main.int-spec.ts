import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { type RunningNats, startNats } from '../testing/nats-server';

const IMAGE_FILES = ['main.ts', 'provision-streams.ts'];

/** Node ≥ 22.18 strips types by default: it runs the files exactly as the image does. */
function nodeStripsTypes(): boolean {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 18);
}

/**
 * The image's contents in `dir`: its dependencies installed as its Dockerfile does (`npm ci
 * --omit=dev` from the committed package.json and lockfile, so a missing package or a broken
 * lockfile fails here, not in an image build) and its two `.ts` files. Returns the node arguments
 * that run the entry.
 *
 * Node ≥ 22.18 runs the files as they are, like the image. An older Node cannot load `.ts` files, so
 * it gets them with their types erased by TypeScript (what type stripping does, minus the
 * whitespace it leaves), under their own names; a loader hook only tells it that `.ts` files are
 * ES modules, so the `./provision-streams.ts` import of main.ts is resolved as written, and a wrong
 * specifier or CommonJS left in the code fails here as it would in the image.
 */
function imageContents(dir: string): string[] {
  for (const file of ['package.json', 'package-lock.json']) {
    writeFileSync(join(dir, file), readFileSync(join(__dirname, file)));
  }
  execFileSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], {
    cwd: dir,
    stdio: 'pipe',
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
  if (nodeStripsTypes()) {
    for (const file of IMAGE_FILES)
      writeFileSync(join(dir, file), readFileSync(join(__dirname, file)));
    return ['main.ts'];
  }
  for (const file of IMAGE_FILES) {
    const source = readFileSync(join(__dirname, file), 'utf8');
    const { outputText, diagnostics } = ts.transpileModule(source, {
      fileName: file,
      reportDiagnostics: true,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    });
    if (diagnostics !== undefined && diagnostics.length > 0) {
      throw new Error(
        `${file}: ${ts.flattenDiagnosticMessageText(diagnostics[0]?.messageText, '\n')}`,
      );
    }
    writeFileSync(join(dir, file), outputText);
  }
  writeFileSync(
    join(dir, 'ts-as-esm.mjs'),
    [
      "import { readFile } from 'node:fs/promises';",
      'export async function load(url, context, nextLoad) {',
      "  if (!url.endsWith('.ts')) return nextLoad(url, context);",
      "  return { format: 'module', source: await readFile(new URL(url)), shortCircuit: true };",
      '}',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'register.mjs'),
    "import { register } from 'node:module';\nregister('./ts-as-esm.mjs', import.meta.url);\n",
  );
  return ['--import', './register.mjs', 'main.ts'];
}

function runNode(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the image entry, main.ts, run as an ES module with its types stripped', () => {
  let nats: RunningNats;
  let dir: string;
  /** `node <args>` in `dir` runs the image entry. */
  let args: string[];

  beforeAll(async () => {
    nats = await startNats((storeDir) => `jetstream { store_dir: "${storeDir}" }\n`);
    dir = mkdtempSync(join(tmpdir(), 'sb-stream-provisioner-'));
    args = imageContents(dir);
  });

  it('runs with nothing but the dependencies of its own lockfile', () => {
    const installed = readdirSync(join(dir, 'node_modules')).filter(
      (name) => !name.startsWith('.'),
    );
    expect(installed.sort()).toEqual(['nats', 'nkeys.js', 'tweetnacl']);
  });

  afterAll(async () => {
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('provisions the streams of STREAMS, prints one line each and exits 0', async () => {
    const streams = ['CHAT', 'DLQ'].map((name) => ({
      name,
      subjects: [name === 'DLQ' ? 'dlq.>' : `evt.${name.toLowerCase()}.>`],
      retention: 'limits',
      storage: 'file',
      max_age: 7 * 24 * 3600 * 1e9,
      duplicate_window: 120 * 1e9,
      discard: 'old',
    }));
    const result = await runNode(args, dir, {
      PATH: process.env['PATH'],
      NATS_URL: `nats://127.0.0.1:${nats.port}`,
      STREAMS: JSON.stringify(streams),
    });
    expect(result.stderr).not.toMatch(/Error|SyntaxError|require is not defined/);
    expect({ code: result.code, stdout: result.stdout }).toEqual({
      code: 0,
      stdout: 'created CHAT\ncreated DLQ\n',
    });
  });

  it('exits 1 with the reason on stderr when STREAMS is missing', async () => {
    const result = await runNode(args, dir, {
      PATH: process.env['PATH'],
      NATS_URL: `nats://127.0.0.1:${nats.port}`,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('stream provisioner: STREAMS is required');
  });
});
