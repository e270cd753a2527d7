/** One event a stream reader forwarded: what sockets are sent, and who may see it. */
export interface FeedEvent {
  stream: string;
  seq: number;
  subject: string;
  payload: unknown;
  recipients: ReadonlySet<string>;
  /** When JetStream stored it (epoch ms): orders a replay across streams. */
  storedAt: number;
}

/**
 * The last `capacity` forwarded events of one stream, in memory: what a reconnecting client is
 * replayed from, so a resume costs a scan of this array rather than a consumer on the server. It
 * vouches for every forwarded event from `from` on; an event evicted moves `from` past it.
 */
export class ReplayWindow {
  private readonly entries: FeedEvent[] = [];
  private start = 0;

  constructor(
    private readonly capacity: number,
    /** The first stream sequence the window holds every forwarded event from. */
    public from: number,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  push(event: FeedEvent): void {
    if (this.entries.length < this.capacity) {
      this.entries.push(event);
      return;
    }
    // Full: overwrite the oldest in place (a ring), so a push never copies the array.
    const evicted = this.entries[this.start];
    this.entries[this.start] = event;
    this.start = (this.start + 1) % this.capacity;
    this.from = evicted.seq + 1;
  }

  /**
   * The events after stream sequence `seq`, oldest first; `undefined` when the window no longer
   * reaches back to `seq + 1` (some of what followed it may have been evicted).
   */
  after(seq: number): FeedEvent[] | undefined {
    if (seq + 1 < this.from) return undefined;
    const count = this.entries.length;
    // Binary search over the ring for the first entry with a sequence above `seq`.
    let low = 0;
    let high = count;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.at(middle).seq <= seq) low = middle + 1;
      else high = middle;
    }
    const events: FeedEvent[] = [];
    for (let index = low; index < count; index++) events.push(this.at(index));
    return events;
  }

  private at(index: number): FeedEvent {
    return this.entries[(this.start + index) % this.entries.length];
  }
}
