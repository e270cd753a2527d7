import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import {
  decodeJson,
  isJetStreamApiError,
  JetStreamApiError,
  NATS_CONNECTION,
  startProcessSpan,
  streamOf,
} from '@switchboard/platform-messaging';
import { ReadinessChecks, SERVICE_CONFIG, type ServiceConfig } from '@switchboard/platform-runtime';
import {
  consumerOpts,
  type JetStreamSubscription,
  type JsMsg,
  type NatsConnection,
  NatsError,
} from 'nats';
import { type GatewayConfig } from '../gateway.config';
import { type Cursor } from './cursor';
import { audienceOf, READ_EVENTS } from './recipients';
import { type FeedEvent, ReplayWindow } from './replay-window';

const RETRY_MS = 1_000;

/** What a client that resumes is owed: the events it missed, or a reset when they are gone. */
export type Replay =
  | { reset: false; events: FeedEvent[]; floors: Map<string, number> }
  | { reset: true; reason: string };

/**
 * One stream read as a live feed: an ephemeral ordered consumer (no durable state on the server,
 * recreated by the client library after a gap), started far enough back to fill the replay window
 * at boot, so a fresh replica resumes cursors written by another one.
 */
class StreamReader {
  epoch = 0;
  /** The last stream sequence read: every event up to it has been handed to the listener. */
  head = 0;
  caughtUp = false;
  window: ReplayWindow;
  private target = 0;
  private subscription: JetStreamSubscription | undefined;
  private stopped = false;

  constructor(
    readonly stream: string,
    private readonly connection: NatsConnection,
    private readonly capacity: number,
    private readonly forward: (event: FeedEvent) => void,
    private readonly log: Logger,
  ) {
    this.window = new ReplayWindow(capacity, 1);
  }

  async start(): Promise<void> {
    const jsm = await this.connection.jetstreamManager();
    while (!this.stopped) {
      try {
        const info = await jsm.streams.info(this.stream);
        const { first_seq: first, last_seq: last } = info.state;
        this.epoch = Date.parse(info.created);
        this.target = last;
        const from = last === 0 ? 1 : Math.max(first, last - this.capacity + 1);
        this.window = new ReplayWindow(this.capacity, from);
        this.head = from - 1;
        this.caughtUp = last < from;
        const options = consumerOpts()
          .orderedConsumer()
          .callback((error, message) => this.receive(error, message));
        if (last === 0) options.deliverAll();
        else options.startSequence(from);
        this.subscription = await this.connection
          .jetstream()
          .subscribe(info.config.subjects[0], options);
        this.log.log(`Reading ${this.stream} from sequence ${from} (last ${last})`);
        return;
      } catch (error) {
        if (this.stopped || this.connection.isClosed()) return;
        const missing = isJetStreamApiError(error, JetStreamApiError.StreamNotFound);
        this.log.warn(
          missing
            ? `Stream ${this.stream} does not exist yet; retrying in ${RETRY_MS} ms`
            : `Cannot read ${this.stream}: ${(error as Error).message}; retrying in ${RETRY_MS} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS).unref());
      }
    }
  }

  stop(): void {
    this.stopped = true;
    this.subscription?.unsubscribe();
  }

  private receive(error: NatsError | null, message: JsMsg | null): void {
    if (error) {
      this.log.warn(`${this.stream} feed: ${error.message}`);
      return;
    }
    if (!message) return;
    const seq = message.info.streamSequence;
    // An ordered consumer never delivers out of order; after a recreation it may repeat.
    if (seq <= this.head) return;
    this.head = seq;
    const decoded = decodeJson(message.data);
    const audience = decoded.ok
      ? audienceOf(message.subject, decoded.value)
      : ({ ok: false, reason: 'not JSON' } as const);
    if (audience.ok) {
      const event: FeedEvent = {
        stream: this.stream,
        seq,
        subject: message.subject,
        payload: audience.payload,
        recipients: audience.recipients,
        storedAt: Math.floor(message.info.timestampNanos / 1e6),
      };
      // The last hop of the event's trace: handed to the sockets of its recipients.
      const { span } = startProcessSpan(message, {
        'messaging.consumer.group.name': `gateway-feed-${this.stream}`,
        'switchboard.recipients': audience.recipients.size,
      });
      this.window.push(event);
      this.forward(event);
      span?.end();
    } else if (audience.reason !== 'not forwarded to sockets') {
      this.log.warn(`${message.subject} #${seq} not forwarded: ${audience.reason}`);
    }
    if (!this.caughtUp && (seq >= this.target || message.info.pending === 0)) {
      this.caughtUp = true;
      this.log.log(`${this.stream} feed caught up at sequence ${seq}`);
    }
  }
}

/**
 * The events of every stream the edge forwards, read once per gateway replica and handed to the
 * socket hub in stream order; plus the replay windows a reconnecting client is caught up from.
 * Replicas do not coordinate: each reads every stream and delivers to its own sockets.
 */
@Injectable()
export class EventFeed implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('EventFeed');
  private readonly readers: StreamReader[];
  private listener: (event: FeedEvent) => void = () => undefined;

  constructor(
    @Inject(NATS_CONNECTION) connection: NatsConnection,
    @Inject(SERVICE_CONFIG) config: ServiceConfig<typeof GatewayConfig.shape>,
    private readonly readiness: ReadinessChecks,
  ) {
    const streams = [...new Set(READ_EVENTS.map((contract) => streamOf(contract.subject)))].sort();
    this.readers = streams.map(
      (stream) =>
        new StreamReader(
          stream,
          connection,
          config.GATEWAY_WS_REPLAY_EVENTS,
          (event) => this.listener(event),
          this.log,
        ),
    );
  }

  /** The one consumer of forwarded events (the socket hub). */
  onEvent(listener: (event: FeedEvent) => void): void {
    this.listener = listener;
  }

  /** Every stream read and caught up with what it held at boot: resumes can be answered. */
  get ready(): boolean {
    return this.readers.every((reader) => reader.caughtUp);
  }

  /** How far this replica has read each stream: the cursor of a client sent everything so far. */
  position(): Map<string, { epoch: number; seq: number }> {
    return new Map(
      this.readers.map((reader) => [reader.stream, { epoch: reader.epoch, seq: reader.head }]),
    );
  }

  /**
   * What a client resuming from `cursor` missed, for `userId`, oldest first across streams. Also
   * the sequences the client has that this replica has not read yet (`floors`): a cursor written by
   * a replica further ahead. A reset when a stream was recreated since, the cursor lacks a stream,
   * or the window no longer reaches back to it.
   */
  replay(cursor: Cursor, userId: string): Replay {
    const events: FeedEvent[] = [];
    const floors = new Map<string, number>();
    for (const reader of this.readers) {
      const at = cursor.get(reader.stream);
      if (!at) return { reset: true, reason: `the cursor does not cover ${reader.stream}` };
      if (at.epoch !== reader.epoch) {
        return { reset: true, reason: `${reader.stream} was recreated since the cursor` };
      }
      const missed = reader.window.after(at.seq);
      if (!missed) return { reset: true, reason: `${reader.stream} events since are evicted` };
      events.push(...missed.filter((event) => event.recipients.has(userId)));
      if (at.seq > reader.head) floors.set(reader.stream, at.seq);
    }
    events.sort((a, b) => a.storedAt - b.storedAt || a.stream.localeCompare(b.stream));
    return { reset: false, events, floors };
  }

  onModuleInit(): void {
    this.readiness.add({
      name: 'event-feed',
      // HTTP routing works without it; sockets are refused (503) until it is caught up.
      critical: false,
      check: () => ({
        'event-feed': {
          status: this.ready ? ('up' as const) : ('down' as const),
          ...Object.fromEntries(
            this.readers.map((reader) => [
              reader.stream,
              {
                caughtUp: reader.caughtUp,
                head: reader.head,
                replayFrom: reader.window.from,
                held: reader.window.size,
              },
            ]),
          ),
        },
      }),
    });
  }

  onApplicationBootstrap(): void {
    // Not awaited: the gateway serves HTTP while a stream is still missing (services create them).
    for (const reader of this.readers) void reader.start();
  }

  onApplicationShutdown(): void {
    for (const reader of this.readers) reader.stop();
  }
}
