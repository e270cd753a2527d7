import { streamsUsedBy } from './streams';

describe('streamsUsedBy', () => {
  it('gives a consumer the streams of its events and the DLQ its dead letters go to', () => {
    expect(
      streamsUsedBy({
        publishing: [],
        consumes: [
          'evt.stories.story.created.v1',
          'evt.chat.message.created.v1',
          'evt.chat.message.deleted.v1',
        ],
      }),
    ).toEqual(['CHAT', 'DLQ', 'STORIES']);
  });

  it("gives a publisher its domain's stream only", () => {
    expect(streamsUsedBy({ publishing: ['calls'], consumes: [] })).toEqual(['CALLS']);
  });

  it('gives a process hosting several publishing domains the stream of each', () => {
    expect(streamsUsedBy({ publishing: ['chat', 'bots'], consumes: [] })).toEqual(['BOTS', 'CHAT']);
  });

  it('gives a service that does both each stream once', () => {
    expect(
      streamsUsedBy({
        publishing: ['chat'],
        consumes: ['evt.chat.message.created.v1', 'evt.bots.reply.sent.v1'],
      }),
    ).toEqual(['BOTS', 'CHAT', 'DLQ']);
  });

  it('gives a service without events no stream at all', () => {
    expect(streamsUsedBy({ publishing: [], consumes: [] })).toEqual([]);
  });
});
