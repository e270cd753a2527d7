import { readFileSync } from 'node:fs';
import { WORKSPACE_ROOT } from '@switchboard/platform-testing';
import { join } from 'node:path';
import { LocalEnvironment, localProcessOf, serviceEnv } from './local-environment';

/** What the local target starts a release with, per topology (the repository's topologies/). */
describe('the local environment: a deployable as a process of its topology', () => {
  const data = (domain: string) =>
    `sqlite:${join(WORKSPACE_ROOT, '.switchboard', 'data', `${domain}.sqlite`)}`;
  /** A topology's processes, and the monolith's domains (a generated domain joins both). */
  const topology = (name: string) =>
    JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'topologies', `${name}.json`), 'utf8')) as {
      processes: { name: string; domains?: string[] }[];
    };
  const runs = (name: string) =>
    topology(name)
      .processes.map((process) => process.name)
      .join(', ');
  const monolithDomains = topology('monolith').processes[0].domains ?? [];

  it('gives a service of the default topology its own database and its own route', () => {
    const environment = LocalEnvironment.parse({});
    const chat = localProcessOf(WORKSPACE_ROOT, environment, 'chat');
    expect(chat).toMatchObject({ name: 'chat', host: 'chat', upstreams: ['chat'] });
    expect(serviceEnv(WORKSPACE_ROOT, environment, chat)).toEqual({
      NATS_URL: 'nats://127.0.0.1:4222',
      DATABASE_URL: data('chat'),
      DB_MIGRATE: 'true',
    });
    const gateway = localProcessOf(WORKSPACE_ROOT, environment, 'gateway');
    expect(serviceEnv(WORKSPACE_ROOT, environment, gateway)).toEqual({
      NATS_URL: 'nats://127.0.0.1:4222',
    });
  });

  it('gives the monolith a database per domain, the domains to host, and the four routes', () => {
    const environment = LocalEnvironment.parse({
      topology: 'monolith',
      services: { monolith: { env: { LOG_LEVEL: 'warn' } } },
    });
    const monolith = localProcessOf(WORKSPACE_ROOT, environment, 'monolith');
    expect(monolith).toMatchObject({ name: 'monolith', host: 'monolith' });
    expect(monolithDomains.slice(0, 4)).toEqual(['chat', 'stories', 'calls', 'bots']);
    expect(monolith.upstreams).toEqual(monolithDomains);
    expect(serviceEnv(WORKSPACE_ROOT, environment, monolith)).toEqual({
      NATS_URL: 'nats://127.0.0.1:4222',
      ...Object.fromEntries(
        monolithDomains.map((domain) => [`DATABASE_URL_${domain.toUpperCase()}`, data(domain)]),
      ),
      DB_MIGRATE: 'true',
      SERVICE_NAME: 'monolith',
      HOST_DOMAINS: monolithDomains.join(','),
      LOG_LEVEL: 'warn',
    });
  });

  it('runs chat-bots of the mixed topology from the monolith host, under its own name, on chat and bots', () => {
    const environment = LocalEnvironment.parse({
      topology: 'mixed',
      services: {
        'chat-bots': { env: { LOG_LEVEL: 'warn' } },
        monolith: { env: { LOG_LEVEL: 'not for chat-bots' } },
      },
    });
    const chatBots = localProcessOf(WORKSPACE_ROOT, environment, 'chat-bots');
    // Built, packaged and started from the monolith's Nx project; released under its own name.
    expect(chatBots).toMatchObject({ name: 'chat-bots', host: 'monolith' });
    expect(chatBots.upstreams).toEqual(['chat', 'bots']);
    expect(serviceEnv(WORKSPACE_ROOT, environment, chatBots)).toEqual({
      NATS_URL: 'nats://127.0.0.1:4222',
      DATABASE_URL_CHAT: data('chat'),
      DATABASE_URL_BOTS: data('bots'),
      DB_MIGRATE: 'true',
      SERVICE_NAME: 'chat-bots',
      HOST_DOMAINS: 'chat,bots',
      LOG_LEVEL: 'warn',
    });
    // The extracted services of the same topology are their own hosts, as in `services`.
    const stories = localProcessOf(WORKSPACE_ROOT, environment, 'stories');
    expect(stories).toMatchObject({ name: 'stories', host: 'stories', upstreams: ['stories'] });
    expect(serviceEnv(WORKSPACE_ROOT, environment, stories)).toEqual({
      NATS_URL: 'nats://127.0.0.1:4222',
      DATABASE_URL: data('stories'),
      DB_MIGRATE: 'true',
    });
  });

  it('refuses a deployable its topology does not run, and a topology that does not exist', () => {
    expect(() => localProcessOf(WORKSPACE_ROOT, LocalEnvironment.parse({}), 'monolith')).toThrow(
      `monolith: the environment runs topology services, which has no process monolith (it runs ${runs('services')}); set "topology" in its environment file`,
    );
    expect(() =>
      localProcessOf(WORKSPACE_ROOT, LocalEnvironment.parse({ topology: 'monolith' }), 'chat'),
    ).toThrow('which has no process chat (it runs monolith, gateway)');
    // In mixed, the monolith is a host, not a process: its process there is chat-bots.
    expect(() =>
      localProcessOf(WORKSPACE_ROOT, LocalEnvironment.parse({ topology: 'mixed' }), 'monolith'),
    ).toThrow(
      `monolith: the environment runs topology mixed, which has no process monolith (it runs ${runs('mixed')})`,
    );
    expect(() =>
      localProcessOf(WORKSPACE_ROOT, LocalEnvironment.parse({ topology: 'mixed' }), 'chat'),
    ).toThrow(`which has no process chat (it runs ${runs('mixed')})`);
    expect(() => localProcessOf(WORKSPACE_ROOT, LocalEnvironment.parse({}), 'chat-bots')).toThrow(
      `which has no process chat-bots (it runs ${runs('services')})`,
    );
    expect(() =>
      localProcessOf(WORKSPACE_ROOT, LocalEnvironment.parse({ topology: 'galaxy' }), 'chat'),
    ).toThrow('"topology": galaxy: no such topology; choose from mixed, monolith, services');
    expect(LocalEnvironment.safeParse({ topology: 'Mono lith' }).success).toBe(false);
  });
});
