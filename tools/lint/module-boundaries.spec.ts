import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The dependency matrix of ARCHITECTURE.md is enforced by lint, not by good intentions: each probe
 * is a line of code placed (virtually) in a real project and linted with the workspace config.
 */
const workspaceRoot = join(__dirname, '..', '..');

interface Probe {
  name: string;
  filePath: string;
  code: string;
}
interface LintResult {
  filePath: string;
  messages: { ruleId: string | null; message: string }[];
}

function lint(probes: Probe[]): Map<string, LintResult['messages']> {
  // The boundary rule reads Nx's cached project graph; computing it here keeps the test standalone.
  execFileSync(process.execPath, [require.resolve('nx/bin/nx'), 'show', 'projects'], {
    cwd: workspaceRoot,
    env: { ...process.env, NX_DAEMON: 'false' },
    stdio: 'ignore',
  });
  const output = execFileSync(process.execPath, [join(__dirname, 'lint-probes.mjs')], {
    cwd: workspaceRoot,
    input: JSON.stringify(probes),
    encoding: 'utf8',
  });
  const results = JSON.parse(output) as LintResult[];
  return new Map(probes.map((probe, index) => [probe.name, results[index].messages]));
}

const probe = (name: string, filePath: string, code: string): Probe => ({ name, filePath, code });

const probes: Probe[] = [
  probe(
    'domain → other domain',
    'libs/chat/src/lib/probe.ts',
    "import { BotsDomain } from '@switchboard/bots';\nexport const x = BotsDomain;\n",
  ),
  probe(
    'domain → other domain, relative',
    'libs/chat/src/lib/probe.ts',
    "import { BotsDomain } from '../../../bots/src/index';\nexport const x = BotsDomain;\n",
  ),
  probe(
    'deep import into a lib',
    'libs/chat/src/lib/probe.ts',
    "import { HealthController } from '@switchboard/platform-runtime/src/lib/health/health.controller';\nexport const x = HealthController;\n",
  ),
  probe(
    'platform → domain',
    'libs/platform/runtime/src/lib/probe.ts',
    "import { ChatDomain } from '@switchboard/chat';\nexport const x = ChatDomain;\n",
  ),
  probe(
    'contracts → package other than zod',
    'libs/contracts/src/lib/probe.ts',
    "import { connect } from 'nats';\nexport const x = connect;\n",
  ),
  probe(
    'app → domain of another scope',
    'services/chat/src/probe.ts',
    "import { BotsDomain } from '@switchboard/bots';\nexport const x = BotsDomain;\n",
  ),
  probe(
    'web client → any lib',
    'apps/web/src/probe.ts',
    "import { Chat } from '@switchboard/contracts';\nexport const x = Chat;\n",
  ),
  probe(
    'domain → platform and contracts (allowed)',
    'libs/chat/src/lib/probe.ts',
    "import { Chat } from '@switchboard/contracts';\nimport { RpcClient } from '@switchboard/platform-messaging';\nexport const x = [Chat, RpcClient];\n",
  ),
  probe(
    'app → own domain (allowed)',
    'services/chat/src/probe.ts',
    "import { ChatDomain } from '@switchboard/chat';\nexport const x = ChatDomain;\n",
  ),
];

describe('module boundaries', () => {
  let messages: Map<string, LintResult['messages']>;

  beforeAll(() => {
    messages = lint(probes);
  }, 120_000);

  const rulesOf = (name: string) => (messages.get(name) ?? []).map((message) => message.ruleId);

  it.each([
    ['domain → other domain', '@nx/enforce-module-boundaries'],
    ['domain → other domain, relative', '@nx/enforce-module-boundaries'],
    ['deep import into a lib', 'no-restricted-imports'],
    ['platform → domain', '@nx/enforce-module-boundaries'],
    ['contracts → package other than zod', '@nx/enforce-module-boundaries'],
    ['app → domain of another scope', '@nx/enforce-module-boundaries'],
    ['web client → any lib', '@nx/enforce-module-boundaries'],
  ])('fails lint: %s', (name, rule) => {
    expect(rulesOf(name)).toContain(rule);
  });

  it.each([['domain → platform and contracts (allowed)'], ['app → own domain (allowed)']])(
    'passes lint: %s',
    (name) => {
      expect(messages.get(name)).toEqual([]);
    },
  );
});
