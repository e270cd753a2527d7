import { matchesNatsPasswordHash, natsPasswordHash } from './password-hash';

describe('natsPasswordHash', () => {
  const hash = natsPasswordHash('chat', 'a-random-password', 4);

  it('is a bcrypt hash of the password, which it does not contain', () => {
    expect(hash).toMatch(/^\$2a\$04\$[./A-Za-z0-9]{53}$/);
    expect(hash).not.toContain('a-random-password');
    expect(matchesNatsPasswordHash('a-random-password', hash)).toBe(true);
    expect(matchesNatsPasswordHash('another-password', hash)).toBe(false);
  });

  it('is stable for the same user and password, so the rendered config does not churn', () => {
    expect(natsPasswordHash('chat', 'a-random-password', 4)).toBe(hash);
  });

  it('changes with the password and with the user', () => {
    expect(natsPasswordHash('chat', 'a-new-password', 4)).not.toBe(hash);
    expect(natsPasswordHash('bots', 'a-random-password', 4)).not.toBe(hash);
  });
});
