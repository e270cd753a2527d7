import { loadConfig } from '@switchboard/platform-runtime';
import { GatewayConfig } from './gateway.config';

const load = (env: Record<string, string>) =>
  loadConfig({
    serviceName: 'gateway',
    defaultPort: 3000,
    extraSchema: GatewayConfig,
    env,
    database: false,
  });

describe('gateway configuration', () => {
  it('reads upstreams as name=url, replicas separated by |', () => {
    const config = load({
      GATEWAY_UPSTREAMS: 'chat=http://chat-a:3101|http://chat-b:3101/, bots=http://bots:3104',
    });
    expect(config.GATEWAY_UPSTREAMS).toEqual({
      chat: ['http://chat-a:3101', 'http://chat-b:3101'],
      bots: ['http://bots:3104'],
    });
    // No database: DATABASE_URL is neither required nor read.
    expect(config.DATABASE_URL).toBe('');
  });

  it('names every bad entry at boot', () => {
    expect(() =>
      load({
        GATEWAY_UPSTREAMS: 'chat=ftp://chat,chat=http://x:1,nonsense',
        GATEWAY_CORS_ORIGINS: 'app.example.com',
      }),
    ).toThrow(
      /GATEWAY_UPSTREAMS: chat: "ftp:\/\/chat" is not http\(s\):\/\/host:port[\s\S]*chat is listed twice[\s\S]*"nonsense" is not name=url[\s\S]*GATEWAY_CORS_ORIGINS: must be "\*" or comma-separated origins/,
    );
  });
});
