import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

// The generator is plain CommonJS so `node tools/docker/generate-dockerfiles.js` runs without a build.
const generator = require('./generate-dockerfiles.js') as {
  NODE_VERSION: string;
  discoverServices(root?: string): { name: string; port: number; database: boolean }[];
  renderDockerfiles(): Map<string, string>;
};

const workspaceRoot = join(__dirname, '..', '..');
/**
 * Every host under services/ (a generated one too) with the port its main.ts declares
 * (`defaultPort: 3101`): what each image must expose and probe.
 */
const EXPECTED_PORTS: Record<string, number> = Object.fromEntries(
  readdirSync(join(workspaceRoot, 'services'))
    .filter((service) => existsSync(join(workspaceRoot, 'services', service, 'src', 'main.ts')))
    .sort()
    .map((service) => {
      const main = readFileSync(join(workspaceRoot, 'services', service, 'src', 'main.ts'), 'utf8');
      return [service, Number(/defaultPort:\s*(\d+)/.exec(main)?.[1])];
    }),
);
/** The services without a database (`database: false` in their main.ts). */
const WITHOUT_DATABASE = ['gateway'];

interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions of a Dockerfile, continuation lines joined, comments dropped, grouped by stage. */
function stagesOf(dockerfile: string): Instruction[][] {
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
  const stages: Instruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') stages.push([]);
    stages[stages.length - 1]?.push(instruction);
  }
  return stages;
}

function argsOf(stage: Instruction[], keyword: string): string[] {
  return stage.filter((instruction) => instruction.keyword === keyword).map(({ args }) => args);
}

describe('the generated Dockerfiles', () => {
  it('cover every service, each on the port its main.ts declares', () => {
    expect(Object.fromEntries(generator.discoverServices().map((s) => [s.name, s.port]))).toEqual(
      EXPECTED_PORTS,
    );
  });

  it('know which services have a database', () => {
    expect(
      generator
        .discoverServices()
        .filter((service) => !service.database)
        .map((service) => service.name),
    ).toEqual(WITHOUT_DATABASE);
  });

  it('are committed exactly as tools/docker/Dockerfile.template renders them', () => {
    for (const [path, content] of generator.renderDockerfiles()) {
      const committed = existsSync(path) ? readFileSync(path, 'utf8') : '(missing)';
      // Regenerate with `node tools/docker/generate-dockerfiles.js`.
      expect({ path, content: committed }).toEqual({ path, content });
    }
  });

  describe.each(Object.entries(EXPECTED_PORTS))('services/%s/Dockerfile', (service, port) => {
    const stages = stagesOf(
      readFileSync(join(workspaceRoot, 'services', service, 'Dockerfile'), 'utf8'),
    );
    const runtime = stages[stages.length - 1] ?? [];
    const stageNames = stages.map((stage) => /\bAS\s+(\S+)/i.exec(stage[0]?.args ?? '')?.[1]);

    it('is multi-stage, every base image pinned to a tag that is not latest', () => {
      expect(stages.length).toBeGreaterThanOrEqual(2);
      for (const stage of stages) {
        const image = (stage[0]?.args ?? '').split(/\s+/)[0] ?? '';
        expect(image).toMatch(/^[\w./-]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/);
        expect(image).not.toMatch(/:latest$/);
        expect(image).toContain(`node:${generator.NODE_VERSION}-`);
      }
      expect(runtime[0]?.args).toMatch(/-slim\b/);
    });

    it('builds the service in the image and installs only its runtime dependencies', () => {
      const runs = stages.map((stage) => argsOf(stage, 'RUN').join('\n'));
      expect(runs.some((commands) => commands.includes(`nx build ${service}`))).toBe(true);
      expect(runs.some((commands) => /npm ci --omit=dev/.test(commands))).toBe(true);
      expect(argsOf(runtime, 'RUN')).toEqual([]); // no compilers, no package manager work in the image
      for (const copy of argsOf(runtime, 'COPY')) {
        const from = /--from=(\S+)/.exec(copy)?.[1];
        expect(stageNames).toContain(from);
        expect(copy).not.toMatch(/--chown/); // code stays root-owned: the process cannot rewrite it
      }
      expect(argsOf(runtime, 'COPY').join('\n')).toContain(`dist/services/${service}/`);
    });

    it('runs as the non-root user node, in production mode, with node main.js', () => {
      const users = argsOf(runtime, 'USER');
      expect(users.length).toBeGreaterThan(0);
      expect(users[users.length - 1]).toBe('node');
      expect(argsOf(runtime, 'ENV').join(' ')).toMatch(/\bNODE_ENV=production\b/);
      expect(argsOf(runtime, 'CMD')).toEqual(['["node", "main.js"]']);
    });

    it(`exposes ${port} and checks health on /health/ready there with node's fetch`, () => {
      expect(argsOf(runtime, 'EXPOSE')).toEqual([String(port)]);
      expect(argsOf(runtime, 'ENV').join(' ')).toMatch(new RegExp(`\\bPORT=${port}\\b`));
      const [healthcheck = ''] = argsOf(runtime, 'HEALTHCHECK');
      expect(healthcheck).toContain('/health/ready');
      expect(healthcheck).toContain(`process.env.PORT || ${port}`);
      expect(healthcheck).toMatch(/CMD \["node", "-e", .*fetch\(/);
      expect(healthcheck).not.toMatch(/curl|wget/);
      // Invalid JSON would make Docker fall back to shell form silently, running a different command.
      const command = JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD ') + 4)) as string[];
      expect(command.slice(0, 2)).toEqual(['node', '-e']);
    });

    it('labels the image with the service and the git sha of the GIT_SHA build argument', () => {
      expect(argsOf(runtime, 'ARG')).toContain('GIT_SHA=unknown');
      const labels = argsOf(runtime, 'LABEL').join(' ');
      expect(labels).toContain(`org.opencontainers.image.title="${service}"`);
      expect(labels).toContain('org.opencontainers.image.revision="${GIT_SHA}"');
    });

    const database = !WITHOUT_DATABASE.includes(service);
    it(
      database
        ? 'installs a compiler in the deps stage only, for the database driver’s native build'
        : 'has no compiler and runs no install script: it opens no database',
      () => {
        const deps = stages.find((stage) => /\bAS deps$/i.test(stage[0]?.args ?? '')) ?? [];
        const depsRuns = argsOf(deps, 'RUN').join('\n');
        expect(/apt-get install .*\bg\+\+/.test(depsRuns)).toBe(database);
        expect(/npm ci .*--ignore-scripts/.test(depsRuns)).toBe(!database);
        // Neither a data folder nor a migration step, in any image.
        const all = stages.flat().map(({ keyword, args }) => `${keyword} ${args}`);
        expect(all.filter((line) => /sqlite|--migrate|VOLUME/i.test(line))).toEqual([]);
      },
    );
  });

  describe('when a service’s main.ts disagrees with the list', () => {
    let root = '';

    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'switchboard-services-'));
      mkdirSync(join(root, 'tools', 'scripts', 'lib'), { recursive: true });
      writeFileSync(
        join(root, 'tools', 'scripts', 'lib', 'services.mjs'),
        "export const SERVICES = [{ name: 'gateway', port: 3000 }, { name: 'chat', port: 3101 }];\n",
      );
    });

    afterEach(() => {
      rmSync(root, { recursive: true, force: true });
    });

    function mainOf(service: string, source: string) {
      mkdirSync(join(root, 'services', service, 'src'), { recursive: true });
      writeFileSync(join(root, 'services', service, 'src', 'main.ts'), source);
    }

    it('reads the list of tools/scripts/lib/services.mjs, a main.ts not written yet included', () => {
      mainOf('chat', "bootstrapService({ name: 'chat', defaultPort: 3101, domains: [] });\n");
      expect(generator.discoverServices(root)).toEqual([
        { name: 'chat', port: 3101, database: true },
        { name: 'gateway', port: 3000, database: false },
      ]);
    });

    it('refuses another defaultPort', () => {
      mainOf('chat', "bootstrapService({ name: 'chat', defaultPort: 3111, domains: [] });\n");
      expect(() => generator.discoverServices(root)).toThrow(
        'services/chat/src/main.ts: defaultPort 3111, but tools/scripts/lib/services.mjs says 3101',
      );
    });

    it('refuses a service declaring database: false that the generator would give a compiler', () => {
      mainOf('chat', "bootstrapService({ name: 'chat', defaultPort: 3101, database: false });\n");
      expect(() => generator.discoverServices(root)).toThrow(
        /services\/chat\/src\/main\.ts: database: false, but .* lists it with a database/,
      );
    });
  });
});

describe('infra/streams/Dockerfile (the stream provisioner, built from infra/streams)', () => {
  const context = join(workspaceRoot, 'infra', 'streams');
  const dockerfile = readFileSync(join(context, 'Dockerfile'), 'utf8');
  const stages = stagesOf(dockerfile);
  const runtime = stages[stages.length - 1] ?? [];
  const stageNames = stages.map((stage) => /\bAS\s+(\S+)/i.exec(stage[0]?.args ?? '')?.[1]);

  it("is multi-stage on slim Node images of the services' major, never latest", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) {
      const image = (stage[0]?.args ?? '').split(/\s+/)[0] ?? '';
      expect(image).toMatch(/^[\w./-]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/);
      expect(image).not.toMatch(/:latest$/);
      expect(image).toBe(`node:${generator.NODE_VERSION}-bookworm-slim`);
    }
  });

  it('installs from its committed lockfile, without dev dependencies, before the runtime stage', () => {
    const deps = stages[0] ?? [];
    expect(argsOf(deps, 'COPY')).toEqual(['package.json package-lock.json ./']);
    expect(argsOf(deps, 'RUN').join('\n')).toMatch(/\bnpm ci --omit=dev --no-audit --no-fund\b/);
    expect(existsSync(join(context, 'package-lock.json'))).toBe(true);
    expect(argsOf(runtime, 'RUN')).toEqual([]);
  });

  it('copies only node_modules, package.json (for "type": "module") and the .ts files it runs', () => {
    const copies = argsOf(runtime, 'COPY');
    const sources: string[] = [];
    for (const copy of copies) {
      const from = /--from=(\S+)/.exec(copy)?.[1];
      if (from !== undefined) expect(stageNames).toContain(from);
      expect(copy).not.toMatch(/--chown/);
      const parts = copy.replace(/--from=\S+\s*/, '').split(/\s+/);
      sources.push(...parts.slice(0, -1));
    }
    expect(sources.sort()).toEqual([
      '/app/node_modules',
      '/app/package.json',
      'main.ts',
      'provision-streams.ts',
    ]);
    for (const file of sources.filter((source) => source.endsWith('.ts'))) {
      expect(existsSync(join(context, file))).toBe(true);
      expect(file).not.toMatch(/spec\.ts$/);
    }
  });

  it('runs main.ts with node as the non-root user node, without a health check', () => {
    const users = argsOf(runtime, 'USER');
    expect(users[users.length - 1]).toBe('node');
    expect(argsOf(runtime, 'CMD')).toEqual(['["node", "main.ts"]']);
    // A one-shot: the platform waits for its exit code, a probe would have nothing to add.
    expect(argsOf(runtime, 'HEALTHCHECK')).toEqual([]);
  });

  it('labels the image stream-provisioner with the git sha of the GIT_SHA build argument', () => {
    expect(argsOf(runtime, 'ARG')).toContain('GIT_SHA=unknown');
    const labels = argsOf(runtime, 'LABEL').join(' ');
    expect(labels).toContain('org.opencontainers.image.title="stream-provisioner"');
    expect(labels).toContain('org.opencontainers.image.revision="${GIT_SHA}"');
  });

  it('has a .dockerignore keeping installed packages and tests out of its context', () => {
    const patterns = readFileSync(join(context, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(patterns).toEqual(
      expect.arrayContaining(['node_modules', '**/node_modules', '*.spec.ts', '*.int-spec.ts']),
    );
  });
});

describe('.dockerignore of the build context (the repository root)', () => {
  const patterns = readFileSync(join(workspaceRoot, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  it.each(['node_modules', 'dist', '.git', '.switchboard', 'coverage', '.nx', '.env'])(
    'keeps %s out',
    (path) => {
      expect(patterns).toContain(path);
    },
  );

  it('keeps nested node_modules out too', () => {
    expect(patterns).toContain('**/node_modules');
  });
});

describe('tools/docker/build-images.sh', () => {
  const script = join(__dirname, 'build-images.sh');
  const bash = ['/bin/bash', '/usr/bin/bash'].find((path) => existsSync(path)) ?? 'bash';
  let bin = '';

  beforeEach(() => {
    bin = mkdtempSync(join(tmpdir(), 'switchboard-fake-docker-'));
  });

  afterEach(() => {
    rmSync(bin, { recursive: true, force: true });
  });

  function fakeDocker(infoExitCode: number): string {
    const log = join(bin, 'docker.log');
    writeFileSync(
      join(bin, 'docker'),
      `#!/bin/sh\nif [ "$1" = info ]; then exit ${infoExitCode}; fi\necho "$@" >> "${log}"\n`,
    );
    chmodSync(join(bin, 'docker'), 0o755);
    return log;
  }

  function runScript(path: string, args: string[] = []) {
    return spawnSync(bash, [script, ...args], {
      cwd: workspaceRoot,
      env: { ...process.env, PATH: path },
      encoding: 'utf8',
    });
  }

  it('says plainly that docker is not installed and exits 2 when no docker is on PATH', () => {
    const result = runScript(bin); // an empty directory: no docker, nothing else either
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('docker is not installed');
    expect(result.stdout).toBe('');
  });

  it('exits 2 naming the engine when the docker CLI is there but the engine is not', () => {
    fakeDocker(1);
    const result = runScript([bin, process.env['PATH']].join(delimiter));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('engine is not running');
  });

  it('builds each service from the repository root, then the stream provisioner from infra/streams', () => {
    const log = fakeDocker(0);
    const result = runScript([bin, process.env['PATH']].join(delimiter));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);

    const sha = spawnSync('git', ['rev-parse', 'HEAD'], {
      cwd: workspaceRoot,
      encoding: 'utf8',
    }).stdout.trim();
    const builds = readFileSync(log, 'utf8').trim().split('\n');
    const services = Object.keys(EXPECTED_PORTS);
    expect(builds).toHaveLength(services.length + 1);
    for (const [index, service] of services.entries()) {
      const build = builds[index] ?? '';
      expect(build).toMatch(new RegExp(`^build --file services/${service}/Dockerfile `));
      expect(build).toMatch(new RegExp(`--build-arg GIT_SHA=${sha}(-dirty)? `));
      expect(build).toMatch(new RegExp(`--tag switchboard-${service}:${sha}(-dirty)? `));
      expect(build).toMatch(/ \.$/);
    }
    const provisioner = builds[services.length] ?? '';
    expect(provisioner).toMatch(/^build --file infra\/streams\/Dockerfile /);
    expect(provisioner).toMatch(new RegExp(`--build-arg GIT_SHA=${sha}(-dirty)? `));
    expect(provisioner).toMatch(
      new RegExp(`--tag switchboard-stream-provisioner:${sha}(-dirty)? `),
    );
    expect(provisioner).toContain('--tag switchboard-stream-provisioner:dev ');
    // Its own folder is the build context: the Dockerfile copies nothing from outside it.
    expect(provisioner).toMatch(/ infra\/streams$/);
  });

  it('builds only the stream provisioner when given stream-provisioner', () => {
    const log = fakeDocker(0);
    const result = runScript([bin, process.env['PATH']].join(delimiter), ['stream-provisioner']);
    expect(result.status).toBe(0);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
      expect.stringMatching(/^build --file infra\/streams\/Dockerfile .* infra\/streams$/),
    ]);
  });

  it('rejects an unknown image before building anything', () => {
    const log = fakeDocker(0);
    const result = runScript([bin, process.env['PATH']].join(delimiter), ['chat', 'chatt']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no services/chatt/Dockerfile');
    expect(result.stderr).toContain('stream-provisioner');
    expect(existsSync(log)).toBe(false);
  });

  it('builds only the services it is given', () => {
    const log = fakeDocker(0);
    const result = runScript([bin, process.env['PATH']].join(delimiter), ['chat']);
    expect(result.status).toBe(0);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
      expect.stringMatching(/^build --file services\/chat\/Dockerfile /),
    ]);
  });
});
