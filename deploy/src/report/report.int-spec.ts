import { WorkspaceCopy } from '@switchboard/platform-testing';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderReportMarkdown, REPORT_MARKER } from './render-markdown';
import { type ChangeReport, type ServiceReport } from './report';

const MAIN = join('deploy', 'src', 'main.ts');
const REGISTER = join('deploy', 'register.cjs');

/**
 * Golden tests of `deploy report` on real commits, one per kind of change: the workspace is copied
 * into a temporary git repository, each case commits its change on the same base, and the CLI
 * reports it against the base with Nx's real graph, reading the base's files from git.
 */
describe('deploy report (temporary commits in a copy of the workspace)', () => {
  let copy: WorkspaceCopy;
  let repo: string;
  let base: string;

  function deploy(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, ['-r', `./${REGISTER}`, MAIN, ...args], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** Commits `edit` on top of the base and returns its report against the base, as JSON. */
  function reportOf(name: string, edit: () => void, ...extra: string[]): ChangeReport {
    copy.git('checkout', '-q', '-B', name, base);
    edit();
    copy.commitAll(name);
    const result = deploy('report', '--base', base, '--format', 'json', ...extra);
    if (result.status !== 0) throw new Error(`report failed (${result.status}): ${result.stderr}`);
    return JSON.parse(result.stdout) as ChangeReport;
  }

  const read = (file: string): string => readFileSync(join(repo, file), 'utf8');
  const write = (file: string, text: string): void => {
    mkdirSync(dirname(join(repo, file)), { recursive: true });
    writeFileSync(join(repo, file), text);
  };
  const change = (file: string, from: string, to: string): void => {
    const text = read(file);
    if (!text.includes(from)) throw new Error(`${file}: nothing to change (${from})`);
    write(file, text.replace(from, to));
  };
  const service = (report: ChangeReport, name: string): ServiceReport => {
    const found = report.services.find((s) => s.name === name);
    if (found === undefined) throw new Error(`${name} is not in the report`);
    return found;
  };
  const names = (report: ChangeReport): string[] => report.services.map((s) => s.name);
  const rootVersion = (name: string): string =>
    (JSON.parse(read('package.json')) as { dependencies: Record<string, string> }).dependencies[
      name
    ];
  const noDependencyChange = {
    added: [],
    removed: [],
    changed: [],
    transitive: { added: [], removed: [] },
  };

  /**
   * An e2e benchmark report (`switchboard-bench/1`), in the copy's ignored `.switchboard/`: in the
   * services topology `post` ran through the gateway and chat, `story-reply` through the gateway,
   * stories and chat; one sweep of the monolith topology, which a services report leaves out.
   */
  function benchReport(): string {
    const run = (id: string, offered: number, p99Us: number, cpu: Record<string, number>) => ({
      id,
      offered,
      achievedRate: offered,
      summary: { p99: p99Us },
      cpuPerOpUs: cpu,
    });
    const file = join(repo, '.switchboard', 'bench', 'e2e.json');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(
      file,
      JSON.stringify({
        format: 'switchboard-bench/1',
        suite: 'e2e',
        finishedAt: '2026-12-01T10:00:00.000Z',
        environment: { gitSha: 'f'.repeat(40), gitDirty: false, cores: 2, cpuModel: 'Test CPU' },
        runs: [
          run('post@400', 400, 12_345, { gateway: 60, chat: 420.4, stories: 3 }),
          run('reply@200', 200, 30_000, { gateway: 70, chat: 380, stories: 510 }),
          run('post@200/monolith', 200, 9_000, { gateway: 60, monolith: 900 }),
        ],
        sweeps: [
          { scenario: 'post', topology: 'services', kneeRate: 800, atHalfKnee: 'post@400' },
          { scenario: 'story-reply', topology: 'services', kneeRate: 400, atHalfKnee: 'reply@200' },
          {
            scenario: 'post',
            topology: 'monolith',
            kneeRate: 400,
            atHalfKnee: 'post@200/monolith',
          },
        ],
      }),
    );
    return file;
  }

  beforeAll(() => {
    copy = WorkspaceCopy.create('switchboard-report-');
    repo = copy.root;
    base = copy.git('rev-parse', 'HEAD');
  }, 60_000);

  afterAll(() => copy?.remove());

  it('a new npm dependency in a domain lib → that service ships it, with its licence and install facts', () => {
    const bench = benchReport();
    const report = reportOf(
      'chat-uses-undici',
      () => {
        write(
          'libs/chat/src/lib/shared/link-preview.ts',
          "import { request } from 'undici';\n\n/** Fetches a link's page for its preview. */\n" +
            'export async function fetchPage(url: string): Promise<string> {\n' +
            '  const response = await request(url);\n  return response.body.text();\n}\n',
        );
        change(
          'libs/chat/src/index.ts',
          "export { ChatDomain, ChatModule } from './lib/chat.module';",
          "export { ChatDomain, ChatModule } from './lib/chat.module';\nexport { fetchPage } from './lib/shared/link-preview';",
        );
      },
      '--bench',
      bench,
    );
    expect(names(report)).toEqual(['chat']);
    const chat = service(report, 'chat');
    expect(chat.affectedBy).toEqual([
      { file: 'libs/chat/src/index.ts', via: ['chat-domain', 'chat'] },
      { file: 'libs/chat/src/lib/shared/link-preview.ts', via: ['chat-domain', 'chat'] },
    ]);
    expect(chat.dependencies).toEqual({
      ...noDependencyChange,
      added: [
        {
          name: 'undici',
          version: rootVersion('undici'),
          license: 'MIT',
          installScript: false,
          native: false,
        },
      ],
    });
    // Nothing else about chat changed: no messaging, rights, migrations or configuration.
    expect(chat.messaging.permissions).toEqual({
      publish: { added: [], removed: [] },
      subscribe: { added: [], removed: [] },
    });
    expect(chat.migrations).toEqual({ added: [], edited: [] });
    expect(chat.configuration.keys).toEqual({ added: [], removed: [], changed: [] });
    expect(chat.attention).toEqual([]);
    // The last measured capacity through chat (the bench report given), heaviest for it first.
    expect(chat.load.measured).toEqual([
      {
        scenario: 'post',
        topology: 'services',
        kneeRate: 800,
        halfKneeRate: 400,
        p99AtHalfKneeMs: 12.35,
        cpuUsPerOp: 420,
      },
      {
        scenario: 'story-reply',
        topology: 'services',
        kneeRate: 400,
        halfKneeRate: 200,
        p99AtHalfKneeMs: 30,
        cpuUsPerOp: 380,
      },
    ]);
    expect(report.benchmark).toEqual({
      file: '.switchboard/bench/e2e.json',
      gitSha: 'f'.repeat(40),
      gitDirty: false,
      finishedAt: '2026-12-01T10:00:00.000Z',
      machine: '2 × Test CPU',
    });
    // Its stacks' per-replica resources, as committed.
    expect(chat.load.resources).toContainEqual({
      target: 'kubernetes',
      stack: 'chat-staging',
      replicas: 2,
      maxReplicas: 6,
      cpu: 0.5,
      memoryMb: 512,
    });
  }, 180_000);

  it('a new event consumed by bots → its new durable consumer and the NATS rights that come with it', () => {
    const report = reportOf('bots-consumes-story-posted', () => {
      write(
        'libs/bots/src/lib/events/story-posted.handler.ts',
        [
          "import { Controller } from '@nestjs/common';",
          "import { Payload } from '@nestjs/microservices';",
          "import { type EventPayload, Stories } from '@switchboard/contracts';",
          "import { EventHandler } from '@switchboard/platform-messaging';",
          '',
          '/** Counts posted stories for the stats bot. */',
          '@Controller()',
          'export class StoryPostedHandler {',
          '  posted = 0;',
          '',
          '  @EventHandler(Stories.StoryPosted)',
          '  handle(@Payload() _event: EventPayload<typeof Stories.StoryPosted>): void {',
          '    this.posted += 1;',
          '  }',
          '}',
          '',
        ].join('\n'),
      );
      change(
        'libs/bots/src/lib/bots.module.ts',
        "import { MessageCreatedHandler } from './events/message-created.handler';",
        "import { MessageCreatedHandler } from './events/message-created.handler';\nimport { StoryPostedHandler } from './events/story-posted.handler';",
      );
      change(
        'libs/bots/src/lib/bots.module.ts',
        '    WebhookCallRequestedHandler,\n  ],',
        '    WebhookCallRequestedHandler,\n    StoryPostedHandler,\n  ],',
      );
      // As a developer does after changing what a service consumes (the manifest is committed).
      execFileSync(process.execPath, ['tools/scripts/messaging-manifest.mjs', '--from-source'], {
        cwd: repo,
        stdio: 'pipe',
      });
    });
    expect(names(report)).toEqual(['bots']);
    const bots = service(report, 'bots');
    const consumer = 'bots_evt-stories-story-posted-v1';
    expect(bots.messaging.consumes).toEqual({
      added: [{ subject: 'evt.stories.story.posted.v1', stream: 'STORIES', consumer }],
      removed: [],
    });
    expect(bots.messaging.permissions.publish).toEqual({
      added: [
        `$JS.ACK.STORIES.${consumer}.>`,
        `$JS.API.CONSUMER.CREATE.STORIES.${consumer}`,
        `$JS.API.CONSUMER.CREATE.STORIES.${consumer}.>`,
        `$JS.API.CONSUMER.DURABLE.CREATE.STORIES.${consumer}`,
        `$JS.API.CONSUMER.INFO.STORIES.${consumer}`,
        `$JS.API.CONSUMER.MSG.NEXT.STORIES.${consumer}`,
        '$JS.API.STREAM.INFO.STORIES',
        `dlq.${consumer}.>`,
      ],
      removed: [],
    });
    expect(bots.messaging.permissions.subscribe).toEqual({ added: [], removed: [] });
    expect(bots.attention).toEqual([
      `NATS: may now publish to dlq.${consumer}.>`,
      `new durable consumer ${consumer} on stream STORIES: its first start processes every ` +
        'evt.stories.story.posted.v1 the stream holds (up to 7 days)',
    ]);
    // The contracts did not change: stories, which publishes it, is not redeployed.
    expect(report.contracts).toEqual([]);
    expect(bots.dependencies).toEqual(noDependencyChange);
    // The pull request comment leads with them.
    const markdown = renderReportMarkdown(report);
    expect(markdown).toContain('**Redeploys bots** · 2 points to look at');
    expect(markdown).toContain(
      `- consumes + \`evt.stories.story.posted.v1\` (durable \`${consumer}\` on STORIES)`,
    );
  }, 180_000);

  it('a breaking schema change → every service using the subject, with what breaks', () => {
    const report = reportOf('chat-event-breaks', () =>
      change(
        'libs/contracts/src/lib/chat/events.ts',
        'payload: z.object({ message: MessageView, memberIds: MemberIds }).strict(),',
        'payload: z.object({ message: MessageView, memberIds: MemberIds, origin: z.string().optional() }).strict(),',
      ),
    );
    expect(names(report)).toEqual(['bots', 'chat', 'gateway']);
    // Every payload is closed (`.strict()`): an old consumer refuses an event with the new field.
    const breaking =
      'event origin: optional field added (breaks consumers of the released version: they refuse what the new publisher sends)';
    expect(report.contracts).toEqual([
      { subject: 'evt.chat.message.created.v1', status: 'changed', breaking: [breaking] },
    ]);
    const uses = Object.fromEntries(
      report.services.map((s) => [s.name, s.contracts.map((c) => `${c.subject} ${c.use}`)]),
    );
    expect(uses).toEqual({
      bots: ['evt.chat.message.created.v1 consumes'],
      chat: ['evt.chat.message.created.v1 publishes'],
      gateway: ['evt.chat.message.created.v1 reads CHAT'],
    });
    for (const s of report.services) {
      expect(s.attention).toEqual([`breaking: evt.chat.message.created.v1 ${breaking}`]);
    }
  }, 180_000);

  it('a migration adding a NOT NULL column without a default → flagged on the service that runs it', () => {
    const file = 'libs/calls/src/lib/migrations/1764300000000-add-call-region.ts';
    const report = reportOf('calls-migration', () =>
      write(
        file,
        [
          "import { type MigrationInterface, type QueryRunner } from 'typeorm';",
          '',
          'export class AddCallRegion1764300000000 implements MigrationInterface {',
          "  name = 'AddCallRegion1764300000000';",
          '',
          '  async up(queryRunner: QueryRunner): Promise<void> {',
          '    await queryRunner.query(`ALTER TABLE "calls" ADD COLUMN "region" varchar(16) NOT NULL`);',
          '  }',
          '',
          '  async down(queryRunner: QueryRunner): Promise<void> {',
          '    await queryRunner.query(`ALTER TABLE "calls" DROP COLUMN "region"`);',
          '  }',
          '}',
          '',
        ].join('\n'),
      ),
    );
    expect(names(report)).toEqual(['calls']);
    const calls = service(report, 'calls');
    const why = 'a NOT NULL column without a DEFAULT: fails if the table has rows';
    expect(calls.migrations).toEqual({
      added: [
        {
          file,
          name: 'AddCallRegion1764300000000',
          statements: 1,
          risks: [
            {
              kind: 'not-null-without-default',
              why,
              statement: 'ALTER TABLE "calls" ADD COLUMN "region" varchar(16) NOT NULL',
              database: 'any',
            },
          ],
        },
      ],
      edited: [],
    });
    expect(calls.attention).toEqual([`migration AddCallRegion1764300000000: ${why}`]);
  }, 180_000);

  it('a new config key → added, with its default or as required', () => {
    const report = reportOf('stories-config', () =>
      change(
        'libs/stories/src/lib/stories.config.ts',
        'export const StoriesConfig = z.object({',
        'export const StoriesConfig = z.object({\n' +
          '  /** Longest caption accepted. */\n' +
          '  STORIES_MAX_CAPTION_CHARS: z.coerce.number().int().min(1).default(500),\n' +
          '  /** Where story media is stored. */\n' +
          '  STORIES_MEDIA_BUCKET: z.string().min(1),',
      ),
    );
    expect(names(report)).toEqual(['stories']);
    const stories = service(report, 'stories');
    expect(stories.configuration.keys.removed).toEqual([]);
    expect(stories.configuration.keys.changed).toEqual([]);
    expect(stories.configuration.keys.added).toEqual([
      {
        key: 'STORIES_MAX_CAPTION_CHARS',
        file: 'libs/stories/src/lib/stories.config.ts',
        default: '500',
        optional: false,
        required: false,
        description: 'Longest caption accepted.',
      },
      {
        key: 'STORIES_MEDIA_BUCKET',
        file: 'libs/stories/src/lib/stories.config.ts',
        optional: false,
        required: true,
        description: 'Where story media is stored.',
      },
    ]);
    expect(stories.attention).toEqual([
      'new required environment key STORIES_MEDIA_BUCKET: the service does not start until it is set',
    ]);
  }, 180_000);

  it('a secret a service stack program starts requiring → listed with the stacks it changes', () => {
    const report = reportOf('new-secret', () =>
      change(
        'infra/kubernetes/service/service-stack.ts',
        "jwtSecret: config.requireSecret('authJwtSecret'),",
        "jwtSecret: config.requireSecret('authJwtSecret'),\n    sentryDsn: config.requireSecret('sentryDsn'),",
      ),
    );
    // Infrastructure code redeploys stacks, not services.
    expect(report.services).toEqual([]);
    expect(report.stacks.secrets).toEqual({
      added: [{ program: 'kubernetes/service', key: 'sentryDsn' }],
      removed: [],
    });
    // Every stack of that program, and only those.
    const programs = new Set(
      report.stacks.changed.map((stack) => `${stack.target}/${stack.program}`),
    );
    expect([...programs]).toEqual(['kubernetes/service']);
    expect(report.stacks.changed.map((stack) => stack.stack)).toContain('chat-staging');
    expect(renderReportMarkdown(report)).toContain(
      '- ⚠️ new secret `sentryDsn` required by kubernetes/service: `pulumi config set --secret sentryDsn …` on each stack',
    );
  }, 180_000);

  it('a docs-only change → an empty report, in JSON and in Markdown', () => {
    const report = reportOf('docs-only', () => {
      write('docs/gateway.md', `${read('docs/gateway.md')}\nMore words.\n`);
      write('README.md', `${read('README.md')}\nMore words.\n`);
    });
    expect(report).toEqual({
      format: 'switchboard-change-report/1',
      base,
      head: copy.git('rev-parse', 'HEAD'),
      topology: 'services',
      services: [],
      outsideTopology: [],
      contracts: [],
      stacks: { changed: [], secrets: { added: [], removed: [] } },
      ignored: [
        { file: 'README.md', why: 'documentation' },
        { file: 'docs/gateway.md', why: 'documentation' },
      ],
      // Without a run of its own, the project's committed figures.
      benchmark: expect.objectContaining({
        file: expect.stringMatching(/^docs\/bench-results\/e2e-.+\.json$/),
      }),
    });
    const markdown = deploy('report', '--base', base);
    expect(markdown.status).toBe(0);
    expect(markdown.stdout.split('\n')[0]).toBe(REPORT_MARKER);
    expect(markdown.stdout).toContain('**No service is redeployed by this change.**');
  }, 180_000);

  it('refuses without --base, with an unknown ref or format, a missing or wrong bench report (exit 2)', () => {
    copy.git('checkout', '-q', base);
    expect(deploy('report').stderr).toMatch(/--base <ref> is required/);
    expect(deploy('report').status).toBe(2);
    const unknown = deploy('report', '--base', 'no-such-ref');
    expect([unknown.status, unknown.stderr]).toEqual([
      2,
      expect.stringMatching(/--base no-such-ref: not a commit/),
    ]);
    expect(deploy('report', '--base', base, '--format', 'pdf').status).toBe(2);
    const noBench = deploy('report', '--base', base, '--bench', 'nowhere.json');
    expect([noBench.status, noBench.stderr]).toEqual([
      2,
      'deploy: --bench nowhere.json: no such file\n',
    ]);
    const notBench = deploy('report', '--base', base, '--bench', 'package.json');
    expect([notBench.status, notBench.stderr]).toEqual([
      2,
      'deploy: --bench package.json: not a switchboard-bench/1 report\n',
    ]);
  }, 60_000);
});
