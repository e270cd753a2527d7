import { type INestApplication } from '@nestjs/common';
import { type EventContract, type EventPayload } from '@switchboard/contracts';
import { signDevToken } from '@switchboard/platform-auth';
import { connect, headers, type NatsConnection } from 'nats';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { readyForRequests } from './http-app.harness';
import {
  createTestEnvironment,
  TEST_JWT_SECRET,
  type TestEnvironment,
} from './test-environment.harness';
import { waitFor } from './wait-for.util';

/**
 * The header carrying an event's id, as platform-messaging's `EventHeaders.EVENT_ID` names it
 * (spelled out: platform-messaging's own tests use this library, so it cannot import it).
 */
const EVENT_ID_HEADER = 'Switchboard-Event-Id';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A message seen on the collected subjects. */
export interface CollectedEvent {
  subject: string;
  payload: unknown;
}

export interface ServiceHarnessOptions<App extends INestApplication> {
  /** The service's name: its test database and the `envFor` key. */
  name: string;
  /**
   * Builds the service from its environment, typically
   * `(env) => createServiceApp({ name, defaultPort: 0, domains: [XDomain] }, env)` (passed in:
   * platform-runtime's own tests use this library, so it cannot import platform-runtime).
   */
  createApp(env: Record<string, string>): Promise<{ app: App }>;
  /** The people the specs act as: each gets a token signed at start. */
  users: readonly string[];
  /** Subjects whose messages are recorded in `events`, e.g. `evt.chat.>`. */
  collect?: string;
  /** Extra environment keys of every instance. */
  env?: Record<string, string>;
  /** How long `waitForEvents` waits by default; 5 s unless given. */
  eventTimeoutMs?: number;
}

/**
 * One service under test in an int-spec file: its own Postgres database and nats-server
 * (`createTestEnvironment`), the app built on them, a raw NATS client recording every message on
 * `collect`, tokens for `users`, and helpers to call it over HTTP and NATS. A domain's harness
 * extends it with its own helpers and starts its fakes of other services in `beforeApp()`.
 * Call `start()` in `beforeAll`, `stop()` in `afterAll`.
 */
export class ServiceHarness<App extends INestApplication = INestApplication> {
  env!: TestEnvironment;
  app!: App;
  nats!: NatsConnection;
  readonly events: CollectedEvent[] = [];
  private readonly tokens = new Map<string, string>();

  constructor(protected readonly options: ServiceHarnessOptions<App>) {}

  async start(): Promise<void> {
    this.env = await createTestEnvironment([this.options.name]);
    for (const user of this.options.users) {
      this.tokens.set(user, await signDevToken(user, TEST_JWT_SECRET));
    }
    this.nats = await connect({ servers: this.env.nats.url });
    if (this.options.collect !== undefined) {
      // Core NATS sees what the outbox relay publishes to JetStream: plain subscribers work.
      const subscription = this.nats.subscribe(this.options.collect);
      void (async () => {
        for await (const msg of subscription) {
          this.events.push({ subject: msg.subject, payload: JSON.parse(decoder.decode(msg.data)) });
        }
      })();
    }
    await this.nats.flush();
    await this.beforeApp();
    this.app = await this.launchApp();
  }

  async stop(): Promise<void> {
    await this.nats?.close();
    await this.closeApps();
    await this.env?.stop();
  }

  /** Starts what the service needs before it boots (fakes of the services it calls). */
  protected async beforeApp(): Promise<void> {
    // nothing by default
  }

  /** Closes the running instances at `stop()`: the main one unless a harness tracks more. */
  protected async closeApps(): Promise<void> {
    await this.app?.close();
  }

  /** A new instance on the same database and NATS, ready for requests; the caller closes it. */
  async launchApp(env: Record<string, string> = {}): Promise<App> {
    const { app } = await this.options.createApp(
      this.env.envFor(this.options.name, { ...this.options.env, ...env }),
    );
    return readyForRequests(app);
  }

  http() {
    return request(this.app.getHttpServer());
  }

  /** Authorization header of one of the users (signed at start, so this is synchronous). */
  as(user: string): Record<string, string> {
    const token = this.tokens.get(user);
    if (token === undefined) throw new Error(`No token for "${user}": add it to the users`);
    return { Authorization: `Bearer ${token}` };
  }

  /** Raw request/reply, as any NATS client would call the service. */
  async rpc(subject: string, body: unknown): Promise<Record<string, unknown>> {
    const reply = await this.nats.request(subject, encoder.encode(JSON.stringify(body)), {
      timeout: 5_000,
    });
    return JSON.parse(decoder.decode(reply.data)) as Record<string, unknown>;
  }

  /**
   * Publishes an event into JetStream as its publisher's outbox relay would (a domain may not
   * import another). Each call is a new event id unless one is given: a fresh id is a second
   * publication of the same fact (a replay, a publisher retry), which an inbox cannot tell apart.
   */
  async publish<C extends EventContract>(
    contract: C,
    payload: EventPayload<C>,
    eventId: string = randomUUID(),
  ): Promise<void> {
    await this.publishTo(contract.subject, payload, eventId);
  }

  /** {@link publish} for a subject and a payload the contract's type would not allow. */
  async publishTo(
    subject: string,
    payload: unknown,
    eventId: string = randomUUID(),
  ): Promise<void> {
    const eventHeaders = headers();
    eventHeaders.set(EVENT_ID_HEADER, eventId);
    await this.nats.jetstream().publish(subject, encoder.encode(JSON.stringify(payload)), {
      msgID: eventId,
      headers: eventHeaders,
    });
  }

  /** Payloads recorded so far on the contract's subject that match `where`. */
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
    timeoutMs = this.options.eventTimeoutMs ?? 5_000,
  ): Promise<EventPayload<C>[]> {
    await waitFor(() => this.published(contract, where).length >= count, {
      timeoutMs,
      message: () => `expected ${count} ${contract.subject} event(s)`,
    });
    return this.published(contract, where);
  }
}
