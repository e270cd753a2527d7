import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Calls } from '@switchboard/contracts';
import { createServiceApp } from '@switchboard/platform-runtime';
import { ServiceHarness } from '@switchboard/platform-testing';
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
    'wes',
  ],
];

/**
 * The calls service of one int-spec file: its own Postgres database and nats-server, a fake chat
 * answering chat's RPC subjects, a raw NATS client recording every calls event, and helpers to act
 * as a user. `startApp()` starts a new main instance on the same database (after `app.close()`).
 */
export class CallsHarness extends ServiceHarness<NestFastifyApplication> {
  chat!: FakeChat;

  constructor(extraEnv: Record<string, string> = {}) {
    super({
      name: 'calls',
      createApp: (env) =>
        createServiceApp({ name: 'calls', defaultPort: 0, domains: [CallsDomain] }, env),
      users: USERS,
      collect: 'evt.calls.>',
      env: extraEnv,
    });
  }

  protected override async beforeApp(): Promise<void> {
    this.chat = new FakeChat(this.nats);
    await this.chat.up();
  }

  async startApp(): Promise<void> {
    this.app = await this.launchApp();
  }

  /** Another instance on the same database and NATS (close it yourself). */
  secondApp(): Promise<NestFastifyApplication> {
    return this.launchApp();
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
}
