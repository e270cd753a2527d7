import type { MessagingManifest, StreamDefinition } from '../nats/manifest';
import { DOMAIN_NAMES } from './topologies';

const DAY_NS = 24 * 60 * 60 * 1e9;

/** A stream as platform-messaging defines them (limits, file, a week, two-minute dedup window). */
export function fixtureStream(name: string, subject: string, maxAgeDays = 7): StreamDefinition {
  return {
    name,
    subjects: [subject],
    retention: 'limits',
    storage: 'file',
    max_age: maxAgeDays * DAY_NS,
    duplicate_window: 120 * 1e9,
    discard: 'old',
  };
}

/**
 * A small manifest in the shape of infra/generated/messaging-manifest.json, covering every kind of
 * entry and every deployable service (the gateway included), for tests that must not depend on the
 * generated file.
 */
export function fixtureManifest(): MessagingManifest {
  const manifest: MessagingManifest = {
    services: {
      chat: {
        domains: ['chat'],
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
        reads: [],
        receives: [],
      },
      stories: {
        domains: ['stories'],
        answers: ['rpc.stories.active-count.v1'],
        calls: ['rpc.chat.list-contacts.v1'],
        publishes: ['evt.stories.story.replied.v1', 'evt.stories.story.expired.v1'],
        pushes: [],
        consumes: [],
        reads: [],
        receives: [],
      },
      calls: {
        domains: ['calls'],
        answers: ['rpc.calls.relay-signal.v1'],
        calls: ['rpc.chat.check-membership.v1'],
        publishes: ['evt.calls.call.missed.v1'],
        pushes: ['push.calls.signal.v1'],
        consumes: [],
        reads: [],
        receives: [],
      },
      bots: {
        domains: ['bots'],
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
        reads: [],
        receives: [],
      },
      // The public edge: no database, no events of its own; live feeds of three streams and the
      // calls domain's signaling pushes, relayed to sockets (the entry its build will produce).
      gateway: {
        domains: ['gateway'],
        answers: [],
        calls: ['rpc.calls.relay-signal.v1'],
        publishes: [],
        pushes: [],
        consumes: [],
        reads: ['CALLS', 'CHAT', 'STORIES'],
        receives: ['push.calls.signal.v1'],
      },
    },
    streams: [
      ...['chat', 'stories', 'calls', 'bots'].map((domain) =>
        fixtureStream(domain.toUpperCase(), `evt.${domain}.>`),
      ),
      fixtureStream('DLQ', 'dlq.>', 30),
    ],
  };
  // A domain added since (a generated service) answers and publishes nothing here: an entry of its
  // own, so a topology that runs it finds one.
  for (const domain of DOMAIN_NAMES) {
    manifest.services[domain] ??= {
      domains: [domain],
      answers: [],
      calls: [],
      publishes: [],
      pushes: [],
      consumes: [],
      reads: [],
      receives: [],
    };
  }
  return manifest;
}
