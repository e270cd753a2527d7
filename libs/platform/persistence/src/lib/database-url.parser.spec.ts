import { parseDatabaseUrl } from './database-url.parser';

describe('parseDatabaseUrl', () => {
  it.each([
    'postgres://postgres@127.0.0.1:5432/chat',
    'postgresql://app:s3cret@db.internal:5432/stories?sslmode=require',
    'postgres:///calls?host=/var/run/postgresql',
  ])('accepts the Postgres URL %s unchanged', (url) => {
    expect(parseDatabaseUrl(url)).toEqual({ kind: 'postgres', url });
  });

  it.each([
    ['sqlite:.switchboard/data/chat.sqlite', '.switchboard/data/chat.sqlite'],
    ['sqlite:/var/lib/switchboard/bots.sqlite', '/var/lib/switchboard/bots.sqlite'],
    ['sqlite::memory:', ':memory:'],
  ])('reads %s as the sqlite path %s', (url, path) => {
    expect(parseDatabaseUrl(url)).toEqual({ kind: 'sqlite', path });
  });

  it.each([
    ['nonsense', /not a database URL/],
    ['', /is empty/],
    ['mysql://root@localhost:3306/chat', /unsupported scheme "mysql:"/],
    ['sqlite:', /empty path/],
    ['sqlite://data/chat.sqlite', /write sqlite:<path>/],
    ['postgres:chat', /must start with postgres:\/\//],
    ['postgres:///chat', /names no host/],
  ])('rejects %j with a message saying what is wrong', (url, message) => {
    expect(() => parseDatabaseUrl(url)).toThrow(message);
  });

  it('never repeats the value in its message, which may hold a password', () => {
    expect(() => parseDatabaseUrl('mysql://app:hunter2@db:3306/chat')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });
});
