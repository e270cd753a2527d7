import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Stories } from '@switchboard/contracts';
import { createServiceApp } from '@switchboard/platform-runtime';
import { ServiceHarness } from '@switchboard/platform-testing';
import { StoriesDomain } from '../stories.module';
import { FakeChatContacts } from './fake-chat-contacts';

/** The people the specs act as. */
export const USERS = [
  ...['alice', 'bob', 'carol', 'dave', 'eve', 'fay', 'gus', 'kim', 'lisa', 'mo', 'pat'],
  ...['quinn', 'zoe', 'zed', 'mallory', 'nobody-here'],
];

/**
 * The stories service of one int-spec file: its own Postgres database and nats-server, chat's
 * contacts RPC played by {@link FakeChatContacts}, a raw NATS client recording every stories event
 * published, and helpers to call it as a user. `config` overrides stories' environment keys.
 */
export class StoriesHarness extends ServiceHarness<NestFastifyApplication> {
  chat!: FakeChatContacts;
  private readonly extraApps: NestFastifyApplication[] = [];

  constructor(config: Record<string, string> = {}) {
    super({
      name: 'stories',
      createApp: (env) =>
        createServiceApp({ name: 'stories', defaultPort: 0, domains: [StoriesDomain] }, env),
      users: USERS,
      collect: 'evt.stories.>',
      env: config,
      eventTimeoutMs: 10_000,
    });
  }

  protected override async beforeApp(): Promise<void> {
    this.chat = new FakeChatContacts(this.nats);
    await this.chat.start();
  }

  override async launchApp(config: Record<string, string> = {}): Promise<NestFastifyApplication> {
    const app = await super.launchApp(config);
    this.extraApps.push(app);
    return app;
  }

  /** Another stories instance on the same database and NATS (or a restart after `stopApp`). */
  startApp(config: Record<string, string> = {}): Promise<NestFastifyApplication> {
    return this.launchApp(config);
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

  protected override async closeApps(): Promise<void> {
    for (const app of this.extraApps.splice(0)) await app.close();
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
