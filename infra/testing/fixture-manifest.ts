import type { MessagingManifest } from '../nats/manifest';

/**
 * A small manifest in the shape of infra/generated/messaging-manifest.json, covering every kind of
 * entry, for tests that must not depend on the generated file.
 */
export function fixtureManifest(): MessagingManifest {
  return {
    services: {
      chat: {
        domain: 'chat',
        answers: ['rpc.chat.post-message.v1', 'rpc.chat.check-membership.v1'],
        calls: ['rpc.stories.active-count.v1'],
        publishes: ['evt.chat.message.created.v1'],
        pushes: ['push.chat.message.v1'],
        consumes: [
          {
            subject: 'evt.stories.story.replied.v1',
            stream: 'STORIES',
            consumer: 'chat_evt-stories-story-replied-v1',
          },
        ],
      },
      stories: {
        domain: 'stories',
        answers: ['rpc.stories.active-count.v1'],
        calls: ['rpc.chat.list-contacts.v1'],
        publishes: ['evt.stories.story.replied.v1', 'evt.stories.story.expired.v1'],
        pushes: [],
        consumes: [],
      },
      calls: {
        domain: 'calls',
        answers: [],
        calls: ['rpc.chat.check-membership.v1'],
        publishes: ['evt.calls.call.missed.v1'],
        pushes: ['push.calls.signal.v1'],
        consumes: [],
      },
      bots: {
        domain: 'bots',
        answers: [],
        calls: ['rpc.chat.post-message.v1', 'rpc.stories.active-count.v1'],
        publishes: [],
        pushes: [],
        consumes: [
          {
            subject: 'evt.chat.message.created.v1',
            stream: 'CHAT',
            consumer: 'bots_evt-chat-message-created-v1',
          },
        ],
      },
    },
  };
}
