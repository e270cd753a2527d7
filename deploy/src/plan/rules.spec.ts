import { compare } from './contract-changes';
import { servicesUsing, type MessagingManifest } from './messaging-manifest';
import { classifyInfraFile, type StackRef } from './stacks';

const stacks: StackRef[] = [
  { target: 'docker', program: 'platform', stack: 'platform-dev' },
  { target: 'docker', program: 'service', stack: 'chat-dev' },
  { target: 'docker', program: 'service', stack: 'calls-dev' },
  { target: 'kubernetes', program: 'service', stack: 'chat-dev' },
];
const names = (refs: StackRef[]): string[] => refs.map((s) => `${s.target}/${s.stack}`);

describe('infra files → stacks', () => {
  it.each([
    ['infra/docker/service/Pulumi.calls-dev.yaml', ['docker/calls-dev']],
    ['infra/docker/service/service-stack.ts', ['docker/chat-dev', 'docker/calls-dev']],
    ['infra/docker/platform/nats/server.ts', ['docker/platform-dev']],
    ['infra/docker/catalogue.ts', ['docker/platform-dev', 'docker/chat-dev', 'docker/calls-dev']],
    ['infra/components/switchboard-service.ts', names(stacks)],
    ['infra/generated/messaging-manifest.json', names(stacks)],
    ['infra/docker/service/service-stack.spec.ts', []],
    ['infra/testing/mocks.ts', []],
    ['infra/project.json', []],
  ])('%s', (file, expected) => {
    expect(names(classifyInfraFile(file, stacks))).toEqual(expected);
  });
});

describe('contracts compared by meaning', () => {
  it('a renamed subject plans for both the old and the new one; an unchanged export for nothing', () => {
    const changes = compare(
      [
        { name: 'Chat.Posted', digest: 'a', subject: 'evt.chat.message.posted.v1' },
        { name: 'UserId', digest: 'u' },
        { name: 'Chat.LIMIT', digest: '1' },
      ],
      [
        { name: 'Chat.Posted', digest: 'b', subject: 'evt.chat.message.posted.v2' },
        { name: 'UserId', digest: 'u' },
        { name: 'Chat.LIMIT', digest: '2' },
        { name: 'Chat.New', digest: 'n', subject: 'rpc.chat.new.v1' },
      ],
      (name) => (name === 'Chat.LIMIT' ? ['chat-domain'] : []),
    );
    expect(changes).toEqual({
      subjects: ['evt.chat.message.posted.v1', 'evt.chat.message.posted.v2', 'rpc.chat.new.v1'],
      exports: [{ name: 'Chat.LIMIT', usedBy: ['chat-domain'] }],
    });
  });
});

describe('who uses a subject', () => {
  type Entry = MessagingManifest['services'][string];
  const entry = (domain: string, uses: Partial<Entry>): Entry => ({
    domains: [domain],
    answers: [],
    calls: [],
    publishes: [],
    pushes: [],
    consumes: [],
    reads: [],
    receives: [],
    ...uses,
  });
  const stream = (name: string, subject: string): MessagingManifest['streams'][number] => ({
    name,
    subjects: [subject],
    retention: 'limits',
    storage: 'file',
    max_age: 0,
    duplicate_window: 0,
    discard: 'old',
  });
  const manifest: MessagingManifest = {
    services: {
      chat: entry('chat', { publishes: ['evt.chat.a.b.v1'] }),
      bots: entry('bots', {
        consumes: [{ subject: 'evt.chat.a.b.v1', stream: 'CHAT', consumer: 'bots_a' }],
      }),
      gateway: entry('gateway', { reads: ['CHAT'] }),
      calls: entry('calls', { reads: ['CALLS'] }),
    },
    streams: [stream('CHAT', 'evt.chat.>'), stream('CALLS', 'evt.calls.>')],
  };

  it('publishers, consumers and the edges reading its stream, nobody else', () => {
    expect(Object.fromEntries(servicesUsing([manifest], 'evt.chat.a.b.v1'))).toEqual({
      chat: 'publishes',
      bots: 'consumes',
      gateway: 'reads CHAT',
    });
  });
});
