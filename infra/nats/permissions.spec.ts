import { fixtureManifest } from '../testing/fixture-manifest';
import { ManifestViolation, natsPermissionsFor, streamsOf } from './permissions';

const streams = ['BOTS', 'CALLS', 'CHAT', 'STORIES', 'DLQ'];

describe('natsPermissionsFor', () => {
  const manifest = fixtureManifest();

  it('lets a service publish exactly its own events, the RPCs it calls and its pushes', () => {
    const { publish } = natsPermissionsFor('chat', manifest.services.chat, { streams });
    expect(publish.allow).toEqual(
      expect.arrayContaining([
        'evt.chat.message.created.v1',
        'rpc.stories.active-count.v1',
        'push.chat.message.v1.*',
      ]),
    );
    const events = publish.allow.filter((subject) => subject.startsWith('evt.'));
    expect(events).toEqual(['evt.chat.message.created.v1']);
    expect(publish.allow.filter((subject) => subject.startsWith('rpc.'))).toEqual([
      'rpc.stories.active-count.v1',
    ]);
    // No wildcard over the event, RPC or push namespaces.
    expect(publish.allow).not.toContain('>');
    expect(publish.allow.some((subject) => /^(evt|rpc|push)\.[^.]+\.>$/.test(subject))).toBe(false);
  });

  it('answers its RPCs only in its own queue group and replies only to requests it received', () => {
    const permissions = natsPermissionsFor('chat', manifest.services.chat, { streams });
    expect(permissions.subscribe.allow).toEqual([
      'rpc.chat.post-message.v1 chat',
      'rpc.chat.check-membership.v1 chat',
      '_INBOX.chat.>',
    ]);
    expect(permissions.allow_responses).toBe(true);
    expect(permissions.publish.allow).not.toContain('_INBOX.>');
  });

  it('gives a service that answers nothing no reply right', () => {
    const permissions = natsPermissionsFor('bots', manifest.services.bots, { streams });
    expect(permissions.allow_responses).toBe(false);
    expect(permissions.subscribe.allow).toEqual(['_INBOX.bots.>']);
  });

  it('lists exactly the JetStream API subjects a consumer uses, for its own consumers only', () => {
    const { publish } = natsPermissionsFor('bots', manifest.services.bots, { streams });
    const consumer = 'bots_evt-chat-message-created-v1';
    const jetstream = publish.allow.filter(
      (subject) => subject.startsWith('$JS.') && subject.includes('CONSUMER'),
    );
    expect(jetstream).toEqual([
      `$JS.API.CONSUMER.INFO.CHAT.${consumer}`,
      `$JS.API.CONSUMER.CREATE.CHAT.${consumer}`,
      `$JS.API.CONSUMER.CREATE.CHAT.${consumer}.>`,
      `$JS.API.CONSUMER.DURABLE.CREATE.CHAT.${consumer}`,
      `$JS.API.CONSUMER.MSG.NEXT.CHAT.${consumer}`,
    ]);
    expect(publish.allow).toContain(`$JS.ACK.CHAT.${consumer}.>`);
    expect(publish.allow).toContain(`dlq.${consumer}.>`);
    expect(publish.allow.some((subject) => /DELETE|PURGE/.test(subject))).toBe(false);
  });

  it('keeps stream create/update on every stream while services ensure streams at boot', () => {
    const { publish } = natsPermissionsFor('calls', manifest.services.calls, { streams });
    for (const stream of streams) {
      expect(publish.allow).toEqual(
        expect.arrayContaining([
          `$JS.API.STREAM.INFO.${stream}`,
          `$JS.API.STREAM.CREATE.${stream}`,
          `$JS.API.STREAM.UPDATE.${stream}`,
        ]),
      );
    }
  });

  it('only reads the streams it consumes when the platform provisions streams', () => {
    const { publish } = natsPermissionsFor('bots', manifest.services.bots, {
      streams,
      streamProvisioning: 'platform',
    });
    const streamApi = publish.allow.filter((subject) => subject.includes('.STREAM.'));
    expect(streamApi).toEqual(['$JS.API.STREAM.INFO.CHAT']);
  });

  it('uses another inbox prefix when one is given', () => {
    const { subscribe } = natsPermissionsFor('bots', manifest.services.bots, {
      streams,
      inboxPrefix: '_REPLIES.bots',
    });
    expect(subscribe.allow).toEqual(['_REPLIES.bots.>']);
  });

  describe('a manifest claiming what a service does not own is rejected', () => {
    const mutate = (change: (m: ReturnType<typeof fixtureManifest>) => void) => {
      const mutated = fixtureManifest();
      change(mutated);
      return mutated;
    };

    it.each([
      [
        'publishing another domain’s event',
        mutate((m) => m.services.chat.publishes.push('evt.stories.story.replied.v1')),
        /publishes evt\.stories\.story\.replied\.v1/,
      ],
      [
        'answering another domain’s RPC',
        mutate((m) => m.services.chat.answers.push('rpc.stories.active-count.v1')),
        /answers rpc\.stories\.active-count\.v1/,
      ],
      [
        'pushing on another domain',
        mutate((m) => m.services.chat.pushes.push('push.calls.signal.v1')),
        /pushes push\.calls\.signal\.v1/,
      ],
      [
        'a consumer named for another service',
        mutate((m) => {
          m.services.chat.consumes[0].consumer = 'bots_evt-stories-story-replied-v1';
        }),
        /should be named chat_evt-stories-story-replied-v1/,
      ],
      [
        'a stream that does not capture the subject',
        mutate((m) => {
          m.services.chat.consumes[0].stream = 'CHAT';
        }),
        /from stream CHAT/,
      ],
      [
        'a wildcard publish',
        mutate((m) => m.services.chat.publishes.push('evt.chat.>')),
        /not a literal subject/,
      ],
    ])('%s', (_case, mutated, message) => {
      expect(() => natsPermissionsFor('chat', mutated.services.chat, { streams })).toThrow(
        ManifestViolation,
      );
      expect(() => natsPermissionsFor('chat', mutated.services.chat, { streams })).toThrow(message);
    });
  });

  it('derives the streams from the domains of the manifest plus the DLQ', () => {
    expect(streamsOf(manifest)).toEqual(['BOTS', 'CALLS', 'CHAT', 'STORIES', 'DLQ']);
  });
});
