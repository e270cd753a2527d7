import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Chat, type EventContract } from '@switchboard/contracts';
import { consumerName, streamOf } from '@switchboard/platform-messaging';
import { createServiceApp } from '@switchboard/platform-runtime';
import { ServiceHarness, waitFor } from '@switchboard/platform-testing';
import { ChatDomain } from '../chat.module';

/** The people the specs act as. */
export const USERS = [
  ...['alice', 'bob', 'carol', 'dave', 'eve', 'fay', 'gus', 'dana', 'kim', 'lisa', 'mo'],
  ...['pat', 'quinn', 'zoe', 'zed', 'mallory', 'nobody-here', 'settle'],
];

/**
 * The chat service of one int-spec file: its own Postgres database and nats-server, a raw NATS
 * client that records every chat event published, and helpers to call it as a user.
 */
export class ChatHarness extends ServiceHarness<NestFastifyApplication> {
  constructor() {
    super({
      name: 'chat',
      createApp: (env) =>
        createServiceApp({ name: 'chat', defaultPort: 0, domains: [ChatDomain] }, env),
      users: USERS,
      collect: 'evt.chat.>',
    });
  }

  /** Creates a group as `owner` and returns it. */
  async group(owner: string, memberIds: string[], title = 'Team'): Promise<Chat.ConversationView> {
    const response = await this.http()
      .post('/conversations')
      .set(this.as(owner))
      .send({ title, memberIds })
      .expect(201);
    return response.body as Chat.ConversationView;
  }

  async post(conversationId: string, user: string, text: string): Promise<Chat.MessageView> {
    const response = await this.http()
      .post(`/conversations/${conversationId}/messages`)
      .set(this.as(user))
      .send({ text })
      .expect(201);
    return response.body as Chat.MessageView;
  }

  /** Waits until chat's consumer of the contract has handled (acked or dead-lettered) everything. */
  async drained(contract: EventContract): Promise<void> {
    const jsm = await this.nats.jetstreamManager();
    const consumer = consumerName('chat', contract.subject);
    let last = '';
    await waitFor(
      async () => {
        const info = await jsm.consumers.info(streamOf(contract.subject), consumer);
        last = `pending ${info.num_pending}, unacked ${info.num_ack_pending}`;
        return info.num_pending === 0 && info.num_ack_pending === 0;
      },
      { timeoutMs: 10_000, message: () => `${consumer} not drained: ${last}` },
    );
  }

  /**
   * Waits until the outbox relay has published everything committed so far (it publishes in
   * order), so that "no such event" can be asserted: creates a throwaway group and waits for it.
   */
  async settle(): Promise<void> {
    const marker = await this.group('settle', [], 'marker');
    await this.waitForEvents(
      Chat.ConversationCreated,
      (event) => event.conversation.id === marker.id,
    );
  }
}
