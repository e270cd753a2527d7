import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recoverAborted } from '../run/run.command';
import { ReleaseStore } from './release-store';

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('release store', () => {
  let folder: string;
  let store: ReleaseStore;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'switchboard-releases-'));
    store = new ReleaseStore(folder, 'local');
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  const fields = { service: 'chat', env: 'local', sha: 'a'.repeat(40), deployedBy: 'test@host' };

  it('keeps every release durably, newest last, and leaves no temporary file behind', () => {
    const first = store.create(fields);
    store.update(first.id, { result: 'live', finishedAt: 'now' });
    const second = store.create({ ...fields, sha: 'b'.repeat(40), previousId: first.id });
    const reread = new ReleaseStore(folder, 'local');
    expect(reread.all().map((release) => [release.sha[0], release.result])).toEqual([
      ['a', 'live'],
      ['b', 'deploying'],
    ]);
    expect(reread.live('chat')?.id).toBe(first.id);
    expect(reread.latest('chat')?.id).toBe(second.id);
    expect(readdirSync(folder)).toEqual(['local.json']);
  });

  it('refuses a second deploy of the same service while the first one runs, and frees the lock after', async () => {
    let inner: unknown;
    await store.withLock('chat', async () => {
      inner = await store
        .withLock('chat', async () => 'twice')
        .catch((error: Error) => error.message);
      // Another service deploys meanwhile.
      expect(await store.withLock('calls', async () => 'calls too')).toBe('calls too');
    });
    expect(inner).toMatch(/chat is being deployed to local by process \d+/);
    expect(await store.withLock('chat', async () => 'again')).toBe('again');
  });

  it('takes over a lock whose process is gone', async () => {
    writeFileSync(join(folder, 'local.chat.lock'), String(deadPid()));
    expect(await store.withLock('chat', async () => 'taken over')).toBe('taken over');
  });

  it('marks a release whose deploy died midway aborted, stopping its process, once', async () => {
    const release = store.create(fields);
    store.update(release.id, { deployerPid: deadPid(), pid: 424242 });
    const stopped: (number | undefined)[] = [];
    const target = { stop: async (pid: number | undefined) => void stopped.push(pid) };
    const recovered = await recoverAborted(store, 'chat', target);
    expect(recovered).toMatchObject({ id: release.id, result: 'aborted' });
    expect(recovered?.reason).toMatch(/stopped midway/);
    expect(stopped).toEqual([424242]);
    expect(await recoverAborted(store, 'chat', target)).toBeUndefined();
  });

  it('leaves a release alone while its deploy is still running', async () => {
    store.create(fields);
    expect(await recoverAborted(store, 'chat', { stop: async () => undefined })).toBeUndefined();
    expect(store.latest('chat')?.result).toBe('deploying');
  });
});
