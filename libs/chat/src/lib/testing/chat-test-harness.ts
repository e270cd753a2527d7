import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Chat, type EventContract, type EventPayload } from '@switchboard/contracts';
import { signDevToken } from '@switchboard/platform-auth';
import { createServiceApp } from '@switchboard/platform-runtime';
import {
  createTestEnvironment,
  readyForRequests,
  TEST_JWT_SECRET,
  type TestEnvironment,
  waitFor,
} from '@switchboard/platform-testing';
import { EventHeaders, consumerName, streamOf } from '@switchboard/platform-messaging';
import { connect, headers, type NatsConnection } from 'nats';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { ChatDomain } from '../chat.module';

/** The people the specs act as. */
export const USERS = [
  ...['alice', 'bob', 'carol', 'dave', 'eve', 'fay', 'gus', 'dana', 'kim', 'lisa', 'mo'],
  ...['pat', 'quinn', 'zoe', 'zed', 'mallory', 'nobody-here', 'settle'],
];

export interface PublishedEvent {
  subject: string;
  payload: unknown;
}

/**
 * The chat service of one int-spec file: its own Postgres database and nats-server, a raw NATS
 * client that records every chat event published, and helpers to call it as a user.
 */
export class ChatHarness {
  private env!: TestEnvironment;
  private app!: NestFastifyApplication;
  nats!: NatsConnection;
  readonly events: PublishedEvent[] = [];
  private readonly tokens = new Map<string, string>();

  async start(): Promise<void> {
    this.env = await createTestEnvironment(['chat']);
    ({ app: this.app } = await createServiceApp(
      { name: 'chat', defaultPort: 0, domains: [ChatDomain] },
      this.env.envFor('chat'),
    ));
    await readyForRequests(this.app);
    for (const user of USERS) this.tokens.set(user, await signDevToken(user, TEST_JWT_SECRET));
    this.nats = await connect({ servers: this.env.nats.url });
    // Core NATS sees what the outbox relay publishes to JetStream: plain subscribers work.
    const subscription = this.nats.subscribe('evt.chat.>');
    void (async () => {
      for await (const msg of subscription) {
        this.events.push({
          subject: msg.subject,
          payload: JSON.parse(new TextDecoder().decode(msg.data)),
        });
      }
    })();
    await this.nats.flush();
  }

  async stop(): Promise<void> {
    await this.nats?.close();
    await this.app?.close();
    await this.env?.stop();
  }

  http() {
    return request(this.app.getHttpServer());
  }

  /** Authorization header of one of the {@link USERS} (signed at start, so this is synchronous). */
  as(user: string): Record<string, string> {
    const token = this.tokens.get(user);
    if (token === undefined) throw new Error(`No token for "${user}": add it to USERS`);
    return { Authorization: `Bearer ${token}` };
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

  /** Raw request/reply, as any NATS client would call chat. */
  async rpc(subject: string, body: unknown): Promise<Record<string, unknown>> {
    const reply = await this.nats.request(subject, new TextEncoder().encode(JSON.stringify(body)), {
      timeout: 5_000,
    });
    return JSON.parse(new TextDecoder().decode(reply.data)) as Record<string, unknown>;
  }

  /**
   * Publishes another domain's event into JetStream as its outbox relay would (chat may not import
   * stories or calls). Each call is a new event id unless one is given: a fresh id is a second
   * publication of the same fact (a replay, a publisher retry), which the inbox cannot tell apart.
   */
  async publish<C extends EventContract>(
    contract: C,
    payload: EventPayload<C>,
    eventId: string = randomUUID(),
  ): Promise<void> {
    const h = headers();
    h.set(EventHeaders.EVENT_ID, eventId);
    await this.nats
      .jetstream()
      .publish(contract.subject, new TextEncoder().encode(JSON.stringify(payload)), {
        msgID: eventId,
        headers: h,
      });
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

  /** Payloads published so far on the contract's subject that match `where`. */
  published<C extends EventContract>(
    contract: C,
    where: (payload: EventPayload<C>) => boolean = () => true,
  ): EventPayload<C>[] {
    return this.events
      .filter((event) => event.subject === contract.subject)
      .map((event) => event.payload as EventPayload<C>)
      .filter(where);
  }

  /** Waits until `count` matching events were published, then returns them. */
  async waitForEvents<C extends EventContract>(
    contract: C,
    where: (payload: EventPayload<C>) => boolean,
    count = 1,
  ): Promise<EventPayload<C>[]> {
    await waitFor(() => this.published(contract, where).length >= count, {
      timeoutMs: 5_000,
      message: () => `expected ${count} ${contract.subject} event(s)`,
    });
    return this.published(contract, where);
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
