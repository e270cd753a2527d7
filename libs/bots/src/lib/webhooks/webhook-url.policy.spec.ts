import { AppError } from '@switchboard/contracts';
import { assertWebhookUrlAllowed, isForbiddenAddress } from './webhook-url.policy';

describe('webhook URL policy', () => {
  const refusal = async (url: string, allowPrivate = false) => {
    try {
      await assertWebhookUrlAllowed(url, allowPrivate);
      return undefined;
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      const appError = error as AppError;
      expect(appError).toMatchObject({
        code: 'BOTS.WEBHOOK_URL_REFUSED',
        kind: 'invalid_argument',
      });
      expect(appError.details).toMatchObject({ url });
      return (appError.details as { reason: string }).reason;
    }
  };

  it.each([
    'https://93.184.216.34/hook',
    'http://8.8.8.8:8080/bots?x=1',
    'https://[2606:4700:4700::1111]/hook',
    'https://172.32.0.1/', // just past 172.16/12
    'https://100.128.0.1/', // just past 100.64/10
    'https://[::ffff:8.8.8.8]/',
  ])('accepts the public address %s', async (url) => {
    await expect(refusal(url)).resolves.toBeUndefined();
  });

  it.each([
    'http://127.0.0.1/',
    'http://127.8.9.10:3000/',
    'http://localhost:8080/hook',
    'http://LOCALHOST:8080/hook',
    'http://10.1.2.3/',
    'http://172.16.0.1/',
    'http://172.31.255.255/',
    'http://192.168.1.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://100.64.0.1/',
    'http://100.127.255.254/',
    'http://0.0.0.0/',
    'http://224.0.0.1/',
    'http://255.255.255.255/',
    'http://2130706433/', // 127.0.0.1 as one number: URL normalizes it
    'http://0x7f.1/',
    'http://[::1]/',
    'http://[::]/',
    'http://[fc00::1]/',
    'http://[fd12:3456::1]/',
    'http://[fe80::1]/',
    'http://[ff02::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:a9fe:a9fe]/', // 169.254.169.254, IPv4-mapped in hex
    'http://[64:ff9b::10.0.0.1]/',
  ])('refuses the non-public address %s', async (url) => {
    await expect(refusal(url)).resolves.toBe('private-address');
  });

  it('lets private addresses through when they are allowed', async () => {
    await expect(refusal('http://localhost:3000/hook', true)).resolves.toBeUndefined();
    await expect(refusal('http://[::1]:3000/', true)).resolves.toBeUndefined();
    await expect(refusal('http://10.0.0.7/', true)).resolves.toBeUndefined();
  });

  it.each([
    ['ftp://93.184.216.34/hook', 'scheme'],
    ['file:///etc/passwd', 'scheme'],
    ['javascript:alert(1)', 'scheme'],
    ['https://user:pass@93.184.216.34/', 'credentials'],
    ['https://token@93.184.216.34/', 'credentials'],
    ['not a url', 'invalid-url'],
    ['/relative/path', 'invalid-url'],
    [`https://93.184.216.34/${'a'.repeat(2048)}`, 'invalid-url'],
  ])('refuses %s (%s) even when private addresses are allowed', async (url, reason) => {
    await expect(refusal(url, true)).resolves.toBe(reason);
  });

  it('refuses a host that does not resolve', async () => {
    await expect(refusal('https://no-such-host.invalid/hook')).resolves.toBe('unresolvable');
  });

  it('classifies IPv4 addresses embedded in IPv6 by their IPv4 part', () => {
    expect(isForbiddenAddress('::ffff:10.0.0.1')).toBe(true);
    expect(isForbiddenAddress('::ffff:c0a8:101')).toBe(true); // 192.168.1.1
    expect(isForbiddenAddress('::ffff:808:808')).toBe(false); // 8.8.8.8
    expect(isForbiddenAddress('64:ff9b::808:808')).toBe(false);
    expect(isForbiddenAddress('fe80::1%eth0')).toBe(true);
    expect(isForbiddenAddress('not-an-ip')).toBe(true);
  });
});
