import { type JsMsg } from 'nats';
import { type Route } from './event-route';
import { type EventProcessor } from './event-processor';

/**
 * Hands pulled messages to the processor within each route's limits: one handler per slot, or for
 * a batched handler one batch per slot, formed from what has arrived. Tracks the work it started,
 * so closing can wait for it.
 */
export class Dispatcher {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly processor: EventProcessor,
    /** False once the transport is closing: waiting messages are handed back, nothing starts. */
    private readonly isRunning: () => boolean,
  ) {}

  /** Takes a pulled message; resolves once the loop may pull the next (a slot was free). */
  async deliver(route: Route, msg: JsMsg): Promise<void> {
    if (route.maxBatch > 1) {
      this.enqueue(route, msg);
      return;
    }
    const { slots } = route;
    const acquired = await slots.acquire();
    if (!acquired || !this.isRunning()) {
      if (acquired) slots.release();
      msg.nak();
      return;
    }
    this.track(this.processor.process(msg, route).finally(() => slots.release()));
  }

  /** Settles once every handler and batch started so far has finished. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /**
   * A batched handler's message joins the queue; the batches are formed once the messages that
   * arrived together are all in it (the client yields a read's worth of messages in microtasks,
   * `setImmediate` runs after them), so nothing waits for messages still to come.
   */
  private enqueue(route: Route, msg: JsMsg): void {
    route.waiting.push(msg);
    if (route.dispatchScheduled) return;
    route.dispatchScheduled = true;
    setImmediate(() => {
      route.dispatchScheduled = false;
      this.dispatch(route);
    });
  }

  /** Starts a batch in every free slot; a finishing batch looks again. */
  private dispatch(route: Route): void {
    while (route.waiting.length > 0) {
      if (!this.isRunning()) {
        handBack(route);
        return;
      }
      if (!route.slots.tryAcquire()) return;
      const batch = takeBatch(route.waiting, route.maxBatch);
      this.track(
        this.processor.processBatch(batch, route).finally(() => {
          route.slots.release();
          this.dispatch(route);
        }),
      );
    }
  }
}

/** Every message waiting for a batch, handed back to the server at once (a nak without delay). */
export function handBack(route: Route): void {
  for (const msg of route.waiting.splice(0)) msg.nak();
}

/**
 * The next batch from the front of the queue: consecutive first deliveries, up to `max`. A
 * redelivered message goes alone — it has failed before (or was handed back), and a message that
 * fails again would roll back every event of its batch with it.
 */
function takeBatch(waiting: JsMsg[], max: number): JsMsg[] {
  let n = 1;
  if ((waiting[0] as JsMsg).info.redeliveryCount === 1) {
    while (n < max && n < waiting.length && (waiting[n] as JsMsg).info.redeliveryCount === 1) {
      n += 1;
    }
  }
  return waiting.splice(0, n);
}
