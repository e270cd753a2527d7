import { type DataSource, type EntityManager } from 'typeorm';
import { type ContactsDirectory } from '../contacts/contacts-directory';
import { StoryAccess } from './story-access';

describe('StoryAccess.audienceOf', () => {
  /** A manager whose close_friends table lists these (owner, friend) pairs. */
  const managerWith = (pairs: [string, string][]) =>
    ({
      find: async (_entity: unknown, options: { where: { ownerId: string } }) =>
        pairs
          .filter(([owner]) => owner === options.where.ownerId)
          .map(([, friendId]) => ({ friendId })),
    }) as unknown as EntityManager;
  const access = new StoryAccess({} as DataSource, {} as ContactsDirectory);

  it('never names the author, and names each contact once, sorted', async () => {
    const manager = managerWith([['ann', 'ann']]);
    expect(await access.audienceOf('ann', 'contacts', ['cy', 'ann', 'bo', 'cy'], manager)).toEqual([
      'bo',
      'cy',
    ]);
    expect(await access.audienceOf('ann', 'close-friends', ['ann', 'bo'], manager)).toEqual([]);
  });

  it('keeps, for close friends, the contacts on the author’s own list only', async () => {
    const manager = managerWith([
      ['ann', 'bo'],
      ['ann', 'zed'],
      ['cy', 'dee'],
    ]);
    expect(await access.audienceOf('ann', 'close-friends', ['bo', 'cy', 'dee'], manager)).toEqual([
      'bo',
    ]);
  });
});
