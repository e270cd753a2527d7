import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Calls, type EventContract, type EventPayload } from '@switchboard/contracts';
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
import { CallsDomain } from '../calls.module';
import { FakeChat } from './fake-chat';

/** The people the specs act as. */
export const USERS = [
  ...['alice', 'bob', 'carol', 'dave', 'eve', 'fay', 'gus', 'hal', 'ivy', 'jo', 'kim'],
  ...[
    'lee',
    'mo',
    'ned',
    'oz',
    'pat',
    'quinn',
    'ray',
    'sue',
    'tom',
    'uma',
    'vic',
    'mallory',
    'j.doe',
  ],
];

export interface PublishedEvent {
  subject: string;
  payload: unknown;
}

/**
 * The calls service of one int-spec file: its own Postgres database and nats-server, a fake chat
 * answering chat's RPC subjects, a raw NATS client recording every calls event, and helpers to act
 * as a user. `restart()` closes the app and starts a new one on the same database.
 */
export class CallsHarness {
  env!: TestEnvironment;
  app!: NestFastifyApplication;
  nats!: NatsConnection;
  chat!: FakeChat;
  readonly events: PublishedEvent[] = [];
  private readonly tokens = new Map<string, string>();

  constructor(private readonly extraEnv: Record<string, string> = {}) {}

  async start(): Promise<void> {
    this.env = await createTestEnvironment(['calls']);
    this.nats = await connect({ servers: this.env.nats.url });
    this.chat = new FakeChat(this.nats);
    await this.chat.up();
    // Core NATS sees what the outbox relay publishes to JetStream: plain subscribers work.
    const subscription = this.nats.subscribe('evt.calls.>');
    void (async () => {
      for await (const msg of subscription) {
        this.events.push({
          subject: msg.subject,
          payload: JSON.parse(new TextDecoder().decode(msg.data)),
        });
      }
    })();
    await this.nats.flush();
    for (const user of USERS) this.tokens.set(user, await signDevToken(user, TEST_JWT_SECRET));
    await this.startApp();
  }

  async startApp(): Promise<void> {
    ({ app: this.app } = await createServiceApp(
      { name: 'calls', defaultPort: 0, domains: [CallsDomain] },
      this.env.envFor('calls', this.extraEnv),
    ));
    await readyForRequests(this.app);
  }

  /** Another instance on the same database and NATS (close it yourself). */
  async secondApp(): Promise<NestFastifyApplication> {
    const { app } = await createServiceApp(
      { name: 'calls', defaultPort: 0, domains: [CallsDomain] },
      this.env.envFor('calls', this.extraEnv),
    );
    return readyForRequests(app);
  }

  async stop(): Promise<void> {
    await this.nats?.close();
    await this.app?.close();
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

  /** Starts a call as `caller` in a new conversation of the caller and `invitees`. */
  async call(caller: string, invitees: string[]): Promise<Calls.CallView> {
    const conversationId = this.chat.conversation([caller, ...invitees]);
    const response = await this.http()
      .post('/calls')
      .set(this.as(caller))
      .send({ conversationId })
      .expect(201);
    return response.body as Calls.CallView;
  }

  /** `POST /calls/:id/<action>` as `user`. */
  act(callId: string, action: string, user: string, body?: object) {
    const req = this.http().post(`/calls/${callId}/${action}`).set(this.as(user));
    return body === undefined ? req : req.send(body);
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

  /** Events of one call, in publication order, as `[subject, state]`. */
  eventsOf(callId: string): [string, string][] {
    return this.events
      .map((event) => ({
        subject: event.subject,
        payload: event.payload as { call: Calls.CallView },
      }))
      .filter((event) => event.payload.call.id === callId)
      .map((event) => [event.subject, event.payload.call.state]);
  }

  /** Waits until `count` matching events were published, then returns them. */
  async waitForEvents<C extends EventContract>(
    contract: C,
    where: (payload: EventPayload<C>) => boolean,
    count = 1,
    timeoutMs = 5_000,
  ): Promise<EventPayload<C>[]> {
    await waitFor(() => this.published(contract, where).length >= count, {
      timeoutMs,
      message: () => `expected ${count} ${contract.subject} event(s)`,
    });
    return this.published(contract, where);
  }
}
