import { Controller, Module } from '@nestjs/common';
import { Calls, Chat, defineEvent, defineRpc, Stories } from '@switchboard/contracts';
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

describe('messagingManifestOf', () => {
  it('reads handlers from the modules, calls from the definition, publishes from the contracts', () => {
    const manifest = messagingManifestOf({
      name: 'chat',
      defaultPort: 0,
      domains: [
        { module: ChatLikeModule, entities: [], migrations: [], calls: [Stories.ActiveCount] },
      ],
    });
    expect(manifest).toMatchObject({
      domain: 'chat',
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
      domains: [{ module: InnerModule, entities: [], migrations: [] }],
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

  it("refuses a service answering another domain's RPC", () => {
    expect(() =>
      messagingManifestOf({
        name: 'bots',
        defaultPort: 0,
        domains: [{ module: ChatLikeModule, entities: [], migrations: [] }],
      }),
    ).toThrow('bots answers RPCs of other domains: rpc.chat.answer-things.v1');
  });
});
