import { spawnSync } from 'node:child_process';
import { WorkspaceCopy } from '@switchboard/platform-testing';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Plan } from './plan';

const MAIN = join('deploy', 'src', 'main.ts');
const REGISTER = join('deploy', 'register.cjs');

/**
 * Golden tests of `deploy plan` on real commits: the workspace as it is (tracked and untracked
 * files, not what is ignored) is copied into a temporary git repository, each case commits a change
 * on top of the same base, and the CLI plans it with Nx's real project graph.
 */
describe('deploy plan (temporary commits in a copy of the workspace)', () => {
  let copy: WorkspaceCopy;
  let repo: string;
  let base: string;

  const git = (...args: string[]): string => copy.git(...args);

  function plan(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, ['-r', `./${REGISTER}`, MAIN, 'plan', ...args], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** Commits `edit` on top of the base, plans it against the base, and returns the JSON plan. */
  function planOf(name: string, edit: () => void, ...extra: string[]): Plan {
    git('checkout', '-q', '-B', name, base);
    edit();
    copy.commitAll(name);
    const result = plan('--base', base, '--json', ...extra);
    if (result.status !== 0) throw new Error(`plan failed (${result.status}): ${result.stderr}`);
    return JSON.parse(result.stdout) as Plan;
  }

  const change = (file: string, from: string | RegExp, to: string): void => {
    const path = join(repo, file);
    const text = readFileSync(path, 'utf8');
    const next = text.replace(from, to);
    if (next === text) throw new Error(`${file}: nothing to change (${String(from)})`);
    writeFileSync(path, next);
  };
  const append = (file: string, text: string): void => {
    writeFileSync(join(repo, file), readFileSync(join(repo, file), 'utf8') + text);
  };
  const services = (p: Plan): string[] => p.services.map((s) => s.name);

  beforeAll(() => {
    copy = WorkspaceCopy.create('switchboard-plan-');
    repo = copy.root;
    base = git('rev-parse', 'HEAD');
  }, 60_000);

  afterAll(() => copy?.remove());

  it('only libs/calls touched → calls', () => {
    const result = planOf('calls-only', () =>
      append('libs/calls/src/lib/calls.module.ts', '\n// a change in the calls domain\n'),
    );
    expect(services(result)).toEqual(['calls']);
    expect(result.services[0]?.reasons).toEqual([
      { file: 'libs/calls/src/lib/calls.module.ts', via: ['calls-domain', 'calls'] },
    ]);
    // The monolith hosts calls too, but the environments run the services topology.
    expect(result).toMatchObject({ topology: 'services', outsideTopology: ['monolith'] });
  }, 60_000);

  it('--topology monolith: a change to a domain or to one of its messages redeploys the monolith', () => {
    const domain = planOf(
      'calls-in-monolith',
      () => append('libs/calls/src/lib/calls.module.ts', '\n// a change in the calls domain\n'),
      '--topology',
      'monolith',
    );
    // The calls service's reasons are the monolith's: it carries the calls domain here.
    expect(domain).toMatchObject({ topology: 'monolith', outsideTopology: [] });
    expect(services(domain)).toEqual(['monolith']);
    const message = planOf(
      'chat-event-in-monolith',
      () =>
        change(
          'libs/contracts/src/lib/chat/events.ts',
          'payload: z.object({ message: MessageView, memberIds: MemberIds }).strict(),',
          'payload: z.object({ message: MessageView, memberIds: MemberIds, origin: z.string().optional() }).strict(),',
        ),
      '--topology',
      'monolith',
    );
    // chat publishes it and bots consumes it: both domains live in the monolith; the gateway reads it.
    expect(services(message)).toEqual(['gateway', 'monolith']);
    expect(plan('--base', base, '--topology', 'galaxy').stderr).toContain(
      '--topology galaxy: no such topology; choose from mixed, monolith, services',
    );
  }, 120_000);

  it("a chat event's schema touched → chat, which publishes it, and those that consume or read it", () => {
    const result = planOf('chat-event', () =>
      change(
        'libs/contracts/src/lib/chat/events.ts',
        'payload: z.object({ message: MessageView, memberIds: MemberIds }).strict(),',
        'payload: z.object({ message: MessageView, memberIds: MemberIds, origin: z.string().optional() }).strict(),',
      ),
    );
    // The first payload in events.ts is MessageCreated's: bots consumes it, the gateway reads CHAT.
    expect(services(result)).toEqual(['bots', 'chat', 'gateway']);
    const uses = Object.fromEntries(
      result.services.map((s) => [s.name, s.reasons.map((r) => `${r.subject} ${r.use}`)]),
    );
    expect(uses).toEqual({
      bots: ['evt.chat.message.created.v1 consumes'],
      chat: ['evt.chat.message.created.v1 publishes'],
      gateway: ['evt.chat.message.created.v1 reads CHAT'],
    });
  }, 60_000);

  it('a comment in the contracts → nothing, and says why', () => {
    const result = planOf('contracts-comment', () =>
      append('libs/contracts/src/lib/chat/events.ts', '\n// only a comment\n'),
    );
    expect(result.services).toEqual([]);
    expect(result.ignored).toEqual([
      {
        file: 'libs/contracts/src/lib/chat/events.ts',
        why: 'contracts: no exported value changed (comments, formatting, types)',
      },
    ]);
  }, 60_000);

  it('a limit in the contracts that is no message → the services whose code names it', () => {
    const result = planOf('contracts-limit', () =>
      change(
        'libs/contracts/src/lib/chat/conversation.ts',
        'export const GROUP_MEMBERS_MAX = 100;',
        'export const GROUP_MEMBERS_MAX = 200;',
      ),
    );
    expect(services(result)).toEqual(['chat']);
    expect(result.services[0]?.reasons).toEqual([
      {
        file: 'libs/contracts/src/lib/chat/conversation.ts',
        via: ['contracts', 'chat-domain', 'chat'],
        uses: 'Chat.GROUP_MEMBERS_MAX',
      },
    ]);
  }, 60_000);

  it('libs/platform/runtime → every service', () => {
    const result = planOf('platform', () =>
      append('libs/platform/runtime/src/index.ts', '\n// a platform change\n'),
    );
    expect(services(result)).toEqual(['bots', 'calls', 'chat', 'gateway', 'stories']);
  }, 60_000);

  it('the web client → the gateway, which ships it', () => {
    const result = planOf('web', () => append('apps/web/src/styles.css', '\n/* tweak */\n'));
    expect(services(result)).toEqual(['gateway']);
    expect(result.services[0]?.reasons[0]?.via).toEqual(['web', 'gateway']);
  }, 60_000);

  it('README and docs only → nothing', () => {
    const result = planOf('docs', () => {
      append('README.md', '\nMore words.\n');
      append('docs/gateway.md', '\nMore words.\n');
    });
    expect(result.services).toEqual([]);
    expect(result.stacks).toEqual([]);
    expect(result.ignored.map((entry) => entry.why)).toEqual(['documentation', 'documentation']);
  }, 60_000);

  it("a service's stack config → that stack only", () => {
    const result = planOf('stack', () =>
      change(
        'infra/docker/service/Pulumi.chat-staging.yaml',
        "service:replicas: '2'",
        "service:replicas: '3'",
      ),
    );
    expect(result.services).toEqual([]);
    expect(result.stacks).toEqual([
      {
        target: 'docker',
        program: 'service',
        stack: 'chat-staging',
        files: ['infra/docker/service/Pulumi.chat-staging.yaml'],
      },
    ]);
  }, 60_000);

  it('refuses to plan without --base, or with a ref that names no commit (exit 2)', () => {
    git('checkout', '-q', base);
    const missing = plan('--json');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--base <ref> is required/);
    expect(missing.stdout).toBe('');
    const unknown = plan('--base', 'no-such-ref');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/--base no-such-ref: not a commit/);
  }, 60_000);
});
