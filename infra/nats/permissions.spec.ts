import { fixtureManifest } from '../testing/fixture-manifest';
import {
  assertManifest,
  ManifestViolation,
  natsPermissionsFor,
  provisionerPermissions,
  streamsUsedBy,
} from './permissions';

describe('natsPermissionsFor', () => {
  const manifest = fixtureManifest();

  it('lets a service publish exactly its own events, the RPCs it calls and its pushes', () => {
    const { publish } = natsPermissionsFor('chat', manifest.services.chat);
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
    const permissions = natsPermissionsFor('chat', manifest.services.chat);
    expect(permissions.subscribe.allow).toEqual([
      'rpc.chat.post-message.v1 chat',
      'rpc.chat.check-membership.v1 chat',
      ...['$SRV.PING', '$SRV.INFO', '$SRV.STATS'],
      ...['$SRV.PING.chat', '$SRV.PING.chat.*', '$SRV.INFO.chat', '$SRV.INFO.chat.*'],
      ...['$SRV.STATS.chat', '$SRV.STATS.chat.*'],
      '_INBOX.chat.>',
    ]);
    expect(permissions.allow_responses).toBe(true);
    expect(permissions.publish.allow).not.toContain('_INBOX.>');
  });

  it('gives a service that answers nothing no reply right', () => {
    const permissions = natsPermissionsFor('bots', manifest.services.bots);
    expect(permissions.allow_responses).toBe(false);
    expect(permissions.subscribe.allow).toEqual(['_INBOX.bots.>']);
  });

  it('lists exactly the JetStream API subjects a consumer uses, for its own consumers only', () => {
    const { publish } = natsPermissionsFor('bots', manifest.services.bots);
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

  it('only reads the streams it uses: never creates, changes or deletes one', () => {
    const streamApi = (service: 'chat' | 'stories' | 'calls' | 'bots') =>
      natsPermissionsFor(service, manifest.services[service]).publish.allow.filter((subject) =>
        subject.includes('.STREAM.'),
      );
    // Consumer only: the stream it reads and the DLQ its dead letters go to.
    expect(streamApi('bots')).toEqual(['$JS.API.STREAM.INFO.CHAT', '$JS.API.STREAM.INFO.DLQ']);
    // Publisher only: its own stream.
    expect(streamApi('stories')).toEqual(['$JS.API.STREAM.INFO.STORIES']);
    // Both.
    expect(streamApi('chat')).toEqual([
      '$JS.API.STREAM.INFO.CHAT',
      '$JS.API.STREAM.INFO.DLQ',
      '$JS.API.STREAM.INFO.STORIES',
    ]);
  });

  it('lets the gateway read live feeds and receive pushes, and nothing more', () => {
    const permissions = natsPermissionsFor('gateway', manifest.services.gateway);
    expect(permissions.publish.allow).toEqual([
      'rpc.calls.relay-signal.v1',
      '$JS.API.INFO',
      // Checked at boot (EVENTS_STREAMS=verify): the streams it reads.
      '$JS.API.STREAM.INFO.CALLS',
      '$JS.API.STREAM.INFO.CHAT',
      '$JS.API.STREAM.INFO.STORIES',
      // js.subscribe finds the stream of a subject, then creates an ephemeral ordered consumer.
      '$JS.API.STREAM.NAMES',
      '$JS.API.CONSUMER.CREATE.CALLS',
      '$JS.FC.CALLS.>',
      '$JS.API.CONSUMER.CREATE.CHAT',
      '$JS.FC.CHAT.>',
      '$JS.API.CONSUMER.CREATE.STORIES',
      '$JS.FC.STORIES.>',
    ]);
    expect(permissions.subscribe.allow).toEqual(['push.calls.signal.v1.*', '_INBOX.gateway.>']);
    expect(permissions.allow_responses).toBe(false);
  });

  it('gives a reader no right over a named or durable consumer, nor to ack, pull or delete', () => {
    const { publish } = natsPermissionsFor('gateway', manifest.services.gateway);
    const forbidden = publish.allow.filter((subject) =>
      /^\$JS\.API\.CONSUMER\.(CREATE\.[A-Z]+\.|DURABLE|MSG\.NEXT|DELETE|INFO)|^\$JS\.ACK|DELETE|PURGE|^dlq\./.test(
        subject,
      ),
    );
    expect(forbidden).toEqual([]);
    // Nothing to publish on the event or push namespaces, no blanket inbox.
    expect(publish.allow.some((subject) => /^(evt|push)\./.test(subject))).toBe(false);
    expect(publish.allow).not.toContain('_INBOX.>');
  });

  it('uses another inbox prefix when one is given', () => {
    const { subscribe } = natsPermissionsFor('bots', manifest.services.bots, {
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
      [
        // `CHAT.x` would grant CONSUMER.CREATE.CHAT.x: the named-consumer API.
        'reading something that is not a stream name',
        mutate((m) => m.services.chat.reads.push('CHAT.chat_evt-stories-story-replied-v1')),
        /reads CHAT\.chat_evt-stories-story-replied-v1, which is not a stream name/,
      ],
      [
        'receiving a wildcard',
        mutate((m) => m.services.chat.receives.push('push.calls.>')),
        /receives push\.calls\.>, which is not a push\.<domain>\.<name>\.v<N> subject/,
      ],
      [
        'receiving something that is not a push',
        mutate((m) => m.services.chat.receives.push('evt.calls.call.missed.v1')),
        /receives evt\.calls\.call\.missed\.v1/,
      ],
    ])('%s', (_case, mutated, message) => {
      expect(() => natsPermissionsFor('chat', mutated.services.chat)).toThrow(ManifestViolation);
      expect(() => natsPermissionsFor('chat', mutated.services.chat)).toThrow(message);
    });
  });

  it('names the streams a service uses: consumed ones, the DLQ if it consumes, its own if it publishes, read ones', () => {
    expect(streamsUsedBy(manifest.services.bots)).toEqual(['CHAT', 'DLQ']);
    expect(streamsUsedBy(manifest.services.stories)).toEqual(['STORIES']);
    expect(streamsUsedBy(manifest.services.chat)).toEqual(['CHAT', 'DLQ', 'STORIES']);
    // Reading needs no DLQ: nothing is acked, nothing dead-lettered.
    expect(streamsUsedBy(manifest.services.gateway)).toEqual(['CALLS', 'CHAT', 'STORIES']);
    expect(
      streamsUsedBy({
        domains: ['x'],
        answers: [],
        calls: [],
        publishes: [],
        pushes: [],
        consumes: [],
        reads: [],
        receives: [],
      }),
    ).toEqual([]);
  });
});

describe('provisionerPermissions', () => {
  it('creates, updates and reads exactly the named streams, and nothing else', () => {
    const permissions = provisionerPermissions(['CHAT', 'DLQ']);
    expect(permissions.publish.allow).toEqual([
      '$JS.API.INFO',
      '$JS.API.STREAM.INFO.CHAT',
      '$JS.API.STREAM.CREATE.CHAT',
      '$JS.API.STREAM.UPDATE.CHAT',
      '$JS.API.STREAM.INFO.DLQ',
      '$JS.API.STREAM.CREATE.DLQ',
      '$JS.API.STREAM.UPDATE.DLQ',
    ]);
    expect(permissions.subscribe.allow).toEqual(['_INBOX.stream-provisioner.>']);
    expect(permissions.allow_responses).toBe(false);
  });
});

describe('assertManifest', () => {
  it('accepts the fixture', () => {
    expect(() => assertManifest(fixtureManifest())).not.toThrow();
  });

  it('refuses a service using a stream the platform would not create', () => {
    const manifest = fixtureManifest();
    manifest.streams = manifest.streams.filter((stream) => stream.name !== 'DLQ');
    expect(() => assertManifest(manifest)).toThrow(ManifestViolation);
    expect(() => assertManifest(manifest)).toThrow(/chat uses stream DLQ; bots uses stream DLQ/);
  });

  it('refuses a service reading a stream the manifest does not define', () => {
    const manifest = fixtureManifest();
    manifest.services.gateway.reads.push('PRESENCE');
    expect(() => assertManifest(manifest)).toThrow(ManifestViolation);
    expect(() => assertManifest(manifest)).toThrow(/gateway reads stream PRESENCE/);
  });

  it('lets a service receive another domain’s push, and refuses one nobody pushes', () => {
    // The fixture's gateway receives calls' signaling push.
    expect(() => assertManifest(fixtureManifest())).not.toThrow();
    const manifest = fixtureManifest();
    manifest.services.gateway.receives.push('push.chat.typing.v1');
    expect(() => assertManifest(manifest)).toThrow(ManifestViolation);
    expect(() => assertManifest(manifest)).toThrow(
      /gateway receives push\.chat\.typing\.v1 \(pushed: push\.calls\.signal\.v1, push\.chat\.message\.v1\)/,
    );
    const withoutPusher = fixtureManifest();
    withoutPusher.services.calls.pushes = [];
    expect(() => assertManifest(withoutPusher)).toThrow(/gateway receives push\.calls\.signal\.v1/);
  });

  it('refuses a subject a service does not own, naming it', () => {
    const manifest = fixtureManifest();
    manifest.services.bots.answers.push('rpc.chat.post-message.v1');
    expect(() => assertManifest(manifest)).toThrow(/Service bots answers rpc\.chat\.post-message/);
  });
});
