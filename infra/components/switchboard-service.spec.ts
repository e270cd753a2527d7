import { corsOriginsValue, renderGatewayUpstreams } from './switchboard-service';

describe('GATEWAY_UPSTREAMS', () => {
  it('renders name=url per service, replicas of one service separated by |', () => {
    expect(
      renderGatewayUpstreams([
        ['chat', ['http://chat-0:3101', 'http://chat-1:3101']],
        ['bots', 'http://bots:3104'],
      ]),
    ).toBe('chat=http://chat-0:3101|http://chat-1:3101,bots=http://bots:3104');
  });

  it('refuses what the gateway could not parse', () => {
    expect(() => renderGatewayUpstreams([])).toThrow('at least one upstream');
    expect(() => renderGatewayUpstreams([['Chat', 'http://chat:3101']])).toThrow(
      '"Chat" is not an upstream name',
    );
    expect(() => renderGatewayUpstreams([['chat', 'http://chat:3101/api']])).toThrow(
      'chat: "http://chat:3101/api" is not http(s)://host:port',
    );
  });
});

describe('GATEWAY_CORS_ORIGINS', () => {
  it('joins origins with commas; none is empty', () => {
    expect(corsOriginsValue(['https://app.example.com', 'http://localhost:5173'])).toBe(
      'https://app.example.com,http://localhost:5173',
    );
    expect(corsOriginsValue(['*'])).toBe('*');
    expect(corsOriginsValue([])).toBe('');
  });

  it('refuses a path, a missing scheme or a comma inside one entry', () => {
    expect(() =>
      corsOriginsValue(['app.example.com', 'https://a.example,https://b.example']),
    ).toThrow(
      /"app\.example\.com", "https:\/\/a\.example,https:\/\/b\.example" must be "\*" or an origin/,
    );
  });
});
