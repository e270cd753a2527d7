import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type EventContract, type EventPayload, Stories } from '@switchboard/contracts';
import { signDevToken } from '@switchboard/platform-auth';
import { createServiceApp } from '@switchboard/platform-runtime';
import {
  createTestEnvironment,
  readyForRequests,
  TEST_JWT_SECRET,
  type TestEnvironment,
  waitFor,
} from '@switchboard/platform-testing';
import { connect, type NatsConnection } from 'nats';
import request from 'supertest';
import { StoriesDomain } from '../stories.module';
import { FakeChatContacts } from './fake-chat-contacts';

/** The people the specs act as. */
export const USERS = [
  ...['alice', 'bob', 'carol', 'dave', 'eve', 'fay', 'gus', 'kim', 'lisa', 'mo', 'pat'],
  ...['quinn', 'zoe', 'zed', 'mallory', 'nobody-here'],
];

export interface PublishedEvent {
  subject: string;
  payload: unknown;
}

/**
 * The stories service of one int-spec file: its own Postgres database and nats-server, chat's
 * contacts RPC played by {@link FakeChatContacts}, a raw NATS client recording every stories event
 * published, and helpers to call it as a user. `config` overrides stories' environment keys.
 */
export class StoriesHarness {
  env!: TestEnvironment;
  app!: NestFastifyApplication;
  nats!: NatsConnection;
  chat!: FakeChatContacts;
  readonly events: PublishedEvent[] = [];
  private readonly tokens = new Map<string, string>();
  private readonly extraApps: NestFastifyApplication[] = [];

  constructor(private readonly config: Record<string, string> = {}) {}

  async start(): Promise<void> {
    this.env = await createTestEnvironment(['stories']);
    for (const user of USERS) this.tokens.set(user, await signDevToken(user, TEST_JWT_SECRET));
    this.nats = await connect({ servers: this.env.nats.url });
    this.chat = new FakeChatContacts(this.nats);
    await this.chat.start();
    // Core NATS sees what the outbox relay publishes to JetStream: plain subscribers work.
    const subscription = this.nats.subscribe('evt.stories.>');
    void (async () => {
      for await (const msg of subscription) {
        this.events.push({
          subject: msg.subject,
          payload: JSON.parse(new TextDecoder().decode(msg.data)),
        });
      }
    })();
    await this.nats.flush();
    this.app = await this.startApp();
  }

  /** Another stories instance on the same database and NATS (or a restart after `stopApp`). */
  async startApp(config: Record<string, string> = {}): Promise<NestFastifyApplication> {
    const { app } = await createServiceApp(
      { name: 'stories', defaultPort: 0, domains: [StoriesDomain] },
      this.env.envFor('stories', { ...this.config, ...config }),
    );
    await readyForRequests(app);
    this.extraApps.push(app);
    return app;
  }

  /** Stops an instance, the main one by default (as a deploy would); `restart()` brings it back. */
  async stopApp(app: NestFastifyApplication = this.app): Promise<void> {
    const index = this.extraApps.indexOf(app);
    if (index >= 0) this.extraApps.splice(index, 1);
    await app.close();
  }

  async restart(config: Record<string, string> = {}): Promise<void> {
    this.app = await this.startApp(config);
  }

  async stop(): Promise<void> {
    await this.nats?.close();
    for (const app of this.extraApps.splice(0)) await app.close();
    await this.env?.stop();
  }

  http() {
    return request(this.app.getHttpServer());
  }

  /** Authorization header of one of the {@link USERS}. */
  as(user: string): Record<string, string> {
    const token = this.tokens.get(user);
    if (token === undefined) throw new Error(`No token for "${user}": add it to USERS`);
    return { Authorization: `Bearer ${token}` };
  }

  /** Posts a text story as `author` and returns it. */
  async post(
    author: string,
    text = `story by ${author}`,
    visibility: Stories.StoryVisibility = 'contacts',
  ): Promise<Stories.StoryView> {
    const response = await this.http()
      .post('/stories')
      .set(this.as(author))
      .send({ text, visibility })
      .expect(201);
    return response.body as Stories.StoryView;
  }

  /** Raw request/reply, as any NATS client would call stories. */
  async rpc(subject: string, body: unknown): Promise<Record<string, unknown>> {
    const reply = await this.nats.request(subject, new TextEncoder().encode(JSON.stringify(body)), {
      timeout: 5_000,
    });
    return JSON.parse(new TextDecoder().decode(reply.data)) as Record<string, unknown>;
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
    timeoutMs = 10_000,
  ): Promise<EventPayload<C>[]> {
    await waitFor(() => this.published(contract, where).length >= count, {
      timeoutMs,
      message: () => `expected ${count} ${contract.subject} event(s)`,
    });
    return this.published(contract, where);
  }

  /**
   * Waits until the outbox relay has published everything committed so far (it publishes in
   * order), so that "no further event" can be asserted: deletes a throwaway story and waits for it.
   */
  async settle(): Promise<void> {
    const marker = await this.post('nobody-here', 'marker');
    await this.http().delete(`/stories/${marker.id}`).set(this.as('nobody-here')).expect(204);
    await this.waitForEvents(Stories.StoryExpired, (event) => event.storyId === marker.id);
  }
}
