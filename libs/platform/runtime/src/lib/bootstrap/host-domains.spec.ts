import { Module } from '@nestjs/common';
import { ConfigError } from '../config/service-config';
import { selectHostedDomains } from './host-domains';
import { type ServiceDefinition } from './service-definition';

@Module({})
class AnyModule {}

const domain = (name: string) => ({ name, module: AnyModule, entities: [], migrations: [] });
const monolith: ServiceDefinition = {
  name: 'monolith',
  defaultPort: 0,
  domains: [domain('chat'), domain('stories'), domain('calls'), domain('bots')],
  hostDomainsKey: 'HOST_DOMAINS',
};
const names = (definition: ServiceDefinition) => definition.domains.map((d) => d.name);

describe('selectHostedDomains', () => {
  it('hosts every domain when the key is not set, and those named (in that order) when it is', () => {
    expect(names(selectHostedDomains(monolith, {}))).toEqual(['chat', 'stories', 'calls', 'bots']);
    expect(names(selectHostedDomains(monolith, { HOST_DOMAINS: 'bots, chat' }))).toEqual([
      'bots',
      'chat',
    ]);
  });

  it('leaves a host without a key alone, whatever the environment says', () => {
    const chat = { ...monolith, hostDomainsKey: undefined, domains: [domain('chat')] };
    expect(names(selectHostedDomains(chat, { HOST_DOMAINS: 'bots' }))).toEqual(['chat']);
  });

  it.each([
    [
      'chat,ledger',
      'HOST_DOMAINS: ledger: not a domain this host carries (chat, stories, calls, bots)',
    ],
    [
      'chat,,bots',
      'HOST_DOMAINS: a comma-separated list of domains, from chat, stories, calls, bots',
    ],
    ['', 'HOST_DOMAINS: a comma-separated list of domains'],
    ['chat,chat', 'HOST_DOMAINS: chat named twice'],
  ])('refuses HOST_DOMAINS=%j with a ConfigError naming the key', (value, message) => {
    const select = () => selectHostedDomains(monolith, { HOST_DOMAINS: value });
    expect(select).toThrow(ConfigError);
    expect(select).toThrow(message);
  });
});
