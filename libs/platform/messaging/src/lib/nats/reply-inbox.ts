import {
  createInbox,
  ErrorCode,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  NatsError,
  type Subscription,
} from 'nats';

interface PendingReply {
  resolve(reply: Msg): void;
  reject(error: unknown): void;
  /** `performance.now()` past which the caller stops waiting (monotonic, unlike the deadline). */
  expiresAt: number;
}

/** setTimeout fires at once (with a warning) for longer delays; a sweep then re-arms. */
const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * Request/reply over one wildcard reply subscription per connection, as nats.js's multiplexed
 * `request()` does, without its per-call overhead: nats.js builds a `NatsError` (a stack capture)
 * for every request it completes, even a successful one, and arms a timer per request and races
 * two promises; in the benchmark that was a third of the caller's CPU. Here the time-outs share
 * one timer, armed for the earliest expiry. Semantics are nats.js's: a 503 status reply (the
 * server's "no responders") rejects with `NoResponders`, expiry with `Timeout`, a closed or
 * draining connection with `ConnectionClosed` / `ConnectionDraining`.
 */
export class ReplyInbox {
  /** Requests waiting for their reply, by reply subject. */
  private readonly pending = new Map<string, PendingReply>();
  private inbox: { prefix: string; subscription: Subscription } | undefined;
  private nextToken = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Infinity;

  constructor(
    private readonly connection: NatsConnection,
    private readonly inboxPrefix: string,
  ) {}

  request(subject: string, data: Uint8Array, headers: MsgHdrs, timeoutMs: number): Promise<Msg> {
    if (this.connection.isClosed()) {
      return Promise.reject(NatsError.errorForCode(ErrorCode.ConnectionClosed));
    }
    if (this.connection.isDraining()) {
      return Promise.reject(NatsError.errorForCode(ErrorCode.ConnectionDraining));
    }
    let prefix: string;
    try {
      prefix = this.subscribed();
    } catch (error) {
      return Promise.reject(error);
    }
    const replySubject = prefix + (this.nextToken++).toString(36);
    const expiresAt = performance.now() + timeoutMs;
    return new Promise<Msg>((resolve, reject) => {
      this.pending.set(replySubject, { resolve, reject, expiresAt });
      if (expiresAt < this.timerAt) this.arm(expiresAt);
      try {
        this.connection.publish(subject, data, { reply: replySubject, headers });
      } catch (error) {
        this.pending.delete(replySubject);
        reject(error);
      }
    });
  }

  /** Subscribes `_INBOX.<service>.<nuid>.*` on first use and after the subscription closed. */
  private subscribed(): string {
    const current = this.inbox;
    if (current !== undefined && !current.subscription.isClosed()) return current.prefix;
    const prefix = `${createInbox(this.inboxPrefix)}.`;
    const subscription = this.connection.subscribe(`${prefix}*`, {
      callback: (error, reply) => {
        if (error) this.fail(prefix, error);
        else this.settle(reply);
      },
    });
    this.inbox = { prefix, subscription };
    // Closed by a drain, a close or a permissions error: nobody will answer what still waits.
    void subscription.closed.then(
      () => this.fail(prefix, NatsError.errorForCode(ErrorCode.ConnectionClosed)),
      (error: unknown) => this.fail(prefix, error),
    );
    return prefix;
  }

  private settle(reply: Msg): void {
    const waiting = this.pending.get(reply.subject);
    if (waiting === undefined) return; // late: its caller has given up already
    this.pending.delete(reply.subject);
    if (reply.data.length === 0 && reply.headers?.code === 503) {
      waiting.reject(NatsError.errorForCode(ErrorCode.NoResponders));
    } else {
      waiting.resolve(reply);
    }
  }

  private fail(prefix: string, error: unknown): void {
    for (const [replySubject, waiting] of this.pending) {
      if (!replySubject.startsWith(prefix)) continue;
      this.pending.delete(replySubject);
      waiting.reject(error);
    }
  }

  private arm(at: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    const delay = Math.min(Math.max(Math.ceil(at - performance.now()), 0), MAX_TIMER_DELAY_MS);
    // Unref'd: it may outlive the requests it was armed for; an open connection keeps the
    // process alive while requests wait, and closing it fails them.
    this.timer = setTimeout(() => this.sweep(), delay).unref();
  }

  /** Rejects what has expired, then re-arms for the earliest expiry left. */
  private sweep(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const [replySubject, waiting] of this.pending) {
      if (waiting.expiresAt <= now) {
        this.pending.delete(replySubject);
        waiting.reject(NatsError.errorForCode(ErrorCode.Timeout));
      } else if (waiting.expiresAt < next) {
        next = waiting.expiresAt;
      }
    }
    if (next !== Infinity) this.arm(next);
  }
}
