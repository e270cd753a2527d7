import { Controller, Module } from '@nestjs/common';
import { Bots, Calls, Chat, defineEvent, defineRpc, Stories } from '@switchboard/contracts';
import { EventHandler, RpcHandler } from '@switchboard/platform-messaging';
import { z } from 'zod';
import { messagingManifestOf } from './messaging-manifest';

const Answer = defineRpc({
  subject: 'rpc.chat.answer-things.v1',
  request: z.object({}),
  result: z.object({}),
});
const Thing = defineEvent({ subject: 'evt.stories.thing.happened.v1', payload: z.object({}) });

@Controller()
class AnswerController {
  @RpcHandler(Answer)
  answer(): object {
    return {};
  }

  /** Not a handler: no contract, not listed. */
  helper(): void {
    // nothing
  }
}

@Controller()
class ThingHandler {
  @EventHandler(Thing)
  happened(): void {
    // nothing
  }
}

@Module({ controllers: [ThingHandler] })
class InnerModule {}

@Module({})
class QuietModule {}

@Module({ imports: [InnerModule], controllers: [AnswerController] })
class ChatLikeModule {}

@Controller()
class MessageCreatedHandler {
  @EventHandler(Chat.MessageCreated)
  created(): void {
    // nothing
  }
}

@Module({ controllers: [MessageCreatedHandler] })
class BotsLikeModule {}

describe('messagingManifestOf', () => {
  it('reads handlers from the modules, calls from the definition, publishes from the contracts', () => {
    const manifest = messagingManifestOf({
      name: 'chat',
      defaultPort: 0,
      domains: [
        {
          name: 'chat',
          module: ChatLikeModule,
          entities: [],
          migrations: [],
          calls: [Stories.ActiveCount],
        },
      ],
    });
    expect(manifest).toMatchObject({
      domains: ['chat'],
      answers: ['rpc.chat.answer-things.v1'],
      calls: ['rpc.stories.active-count.v1'],
      pushes: [],
      consumes: [
        {
          subject: 'evt.stories.thing.happened.v1',
          stream: 'STORIES',
          consumer: 'chat_evt-stories-thing-happened-v1',
        },
      ],
    });
    expect(manifest.publishes).toContain(Chat.MessageCreated.subject);
    expect(manifest.publishes.every((subject) => subject.startsWith('evt.chat.'))).toBe(true);
  });

  it('lists the streams a domain reads as a feed and the pushes it receives', () => {
    const manifest = messagingManifestOf({
      name: 'edge',
      defaultPort: 0,
      database: false,
      domains: [
        {
          name: 'gateway',
          module: QuietModule,
          entities: [],
          migrations: [],
          reads: [Chat.MessageCreated, Chat.ReceiptUpdated, Calls.CallStarted],
          receives: [Calls.CallSignal],
        },
      ],
    });
    expect(manifest).toMatchObject({
      reads: ['CALLS', 'CHAT'],
      receives: ['push.calls.signal.v1'],
      consumes: [],
      publishes: [],
    });
  });

  it('lists the streams the deployment creates, without replicas (a deployment decision)', () => {
    const { streams } = messagingManifestOf({
      name: 'calls',
      defaultPort: 0,
      domains: [{ name: 'calls', module: InnerModule, entities: [], migrations: [] }],
    });
    expect(streams.map((stream) => stream.name)).toEqual([
      'CHAT',
      'STORIES',
      'CALLS',
      'BOTS',
      'DLQ',
    ]);
    for (const stream of streams) expect(stream).not.toHaveProperty('num_replicas');
    // Plain JSON, every setting spelled out: the provisioner must not fall back to server defaults.
    expect(JSON.parse(JSON.stringify(streams[4]))).toEqual({
      name: 'DLQ',
      subjects: ['dlq.>'],
      retention: 'limits',
      storage: 'file',
      max_age: 30 * 24 * 60 * 60 * 1e9,
      duplicate_window: 120 * 1e9,
      discard: 'old',
    });
    expect(streams[0]).toMatchObject({ subjects: ['evt.chat.>'], max_age: 7 * 24 * 60 * 60 * 1e9 });
  });

  it("refuses a domain answering another domain's RPC", () => {
    expect(() =>
      messagingManifestOf({
        name: 'bots',
        defaultPort: 0,
        domains: [{ name: 'bots', module: ChatLikeModule, entities: [], migrations: [] }],
      }),
    ).toThrow('bots answers RPCs of other domains: rpc.chat.answer-things.v1');
  });

  describe('a process hosting several domains', () => {
    const chat = { name: 'chat', module: ChatLikeModule, entities: [], migrations: [] };
    const bots = {
      name: 'bots',
      module: BotsLikeModule,
      entities: [],
      migrations: [],
      calls: [Chat.PostMessage],
    };

    it('is the union of its domains, each consumer named for its domain, not the process', () => {
      const manifest = messagingManifestOf({
        name: 'monolith',
        defaultPort: 0,
        domains: [chat, bots],
      });
      expect(manifest).toMatchObject({
        domains: ['chat', 'bots'],
        answers: ['rpc.chat.answer-things.v1'],
        calls: ['rpc.chat.post-message.v1'],
        consumes: [
          {
            subject: 'evt.chat.message.created.v1',
            stream: 'CHAT',
            consumer: 'bots_evt-chat-message-created-v1',
          },
          {
            subject: 'evt.stories.thing.happened.v1',
            stream: 'STORIES',
            consumer: 'chat_evt-stories-thing-happened-v1',
          },
        ],
      });
      // The events of both domains, and no other's.
      expect(manifest.publishes).toContain(Chat.MessageCreated.subject);
      expect(manifest.publishes).toContain(Bots.WebhookCallRequested.subject);
      expect(
        manifest.publishes.every((s) => s.startsWith('evt.chat.') || s.startsWith('evt.bots.')),
      ).toBe(true);
      // The same domain alone in its own process has the same consumer: its position carries over.
      const alone = messagingManifestOf({ name: 'bots', defaultPort: 0, domains: [bots] });
      expect(alone.consumes).toEqual([manifest.consumes[0]]);
    });

    it('refuses two domains consuming the same event, and a domain hosted twice', () => {
      const twin = { ...bots, name: 'calls' };
      expect(() =>
        messagingManifestOf({ name: 'monolith', defaultPort: 0, domains: [bots, twin] }),
      ).toThrow(
        'bots and calls both consume evt.chat.message.created.v1: a process runs one handler per subject',
      );
      expect(() =>
        messagingManifestOf({ name: 'monolith', defaultPort: 0, domains: [chat, chat] }),
      ).toThrow('monolith hosts chat twice');
    });
  });
});
