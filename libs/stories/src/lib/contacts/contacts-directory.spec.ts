import { Logger } from '@nestjs/common';
import { AppError, Chat, type RpcContract } from '@switchboard/contracts';
import { type RpcClient } from '@switchboard/platform-messaging';
import { type StoriesConfig } from '../stories.config';
import { ContactsDirectory } from './contacts-directory';

/** Chat's answers, scripted: a list of contacts or an error, one per call. */
class ScriptedRpc {
  readonly calls: unknown[] = [];
  readonly answers: (string[] | Error)[] = [];

  async call(contract: RpcContract, input: unknown): Promise<{ userIds: string[] }> {
    expect(contract).toBe(Chat.ListContacts);
    this.calls.push(input);
    await Promise.resolve();
    const answer = this.answers.shift() ?? new Error('no answer scripted');
    if (answer instanceof Error) throw answer;
    return { userIds: answer };
  }
}

const unavailable = () => new AppError('UNAVAILABLE', 'unavailable', 'No service answers');

describe('ContactsDirectory', () => {
  let now = 1_000_000;
  let rpc: ScriptedRpc;
  let directory: ContactsDirectory;

  beforeEach(() => {
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    rpc = new ScriptedRpc();
    directory = new ContactsDirectory(
      rpc as unknown as RpcClient,
      {
        STORIES_CONTACTS_CACHE_SECONDS: 30,
        STORIES_CONTACTS_TIMEOUT_MS: 1_000,
      } as StoriesConfig,
    );
  });
  afterEach(() => jest.restoreAllMocks());

  const ids = async (userId: string) => {
    const contacts = await directory.of(userId);
    return { userIds: [...contacts.userIds], stale: contacts.stale };
  };

  it('asks chat once per cache time and shares one call between concurrent requests', async () => {
    rpc.answers.push(['bob'], ['bob', 'carol']);
    const [first, second] = await Promise.all([ids('alice'), ids('alice')]);
    expect(first).toEqual({ userIds: ['bob'], stale: false });
    expect(second).toEqual(first);
    now += 29_999;
    expect(await ids('alice')).toEqual({ userIds: ['bob'], stale: false });
    expect(rpc.calls).toEqual([{ userId: 'alice' }]);
    now += 1;
    expect(await ids('alice')).toEqual({ userIds: ['bob', 'carol'], stale: false });
    expect(rpc.calls).toHaveLength(2);
  });

  it('serves the last answer, flagged stale, while chat fails; none → CONTACTS_UNAVAILABLE', async () => {
    rpc.answers.push(['bob']);
    await ids('alice');
    now += 3_600_000;
    rpc.answers.push(unavailable(), new Error('boom'), unavailable());
    expect(await ids('alice')).toEqual({ userIds: ['bob'], stale: true });
    expect(await ids('alice')).toEqual({ userIds: ['bob'], stale: true });
    await expect(directory.of('zed')).rejects.toMatchObject({
      code: 'STORIES.CONTACTS_UNAVAILABLE',
      kind: 'unavailable',
      retriable: true,
    });
    rpc.answers.push(['dave']);
    expect(await ids('alice')).toEqual({ userIds: ['dave'], stale: false });
  });
});
