import { type Logger } from '@nestjs/common';
import { type ConsumerMessages, type JetStreamClient, type JsMsg } from 'nats';
import { setTimeout as sleep } from 'node:timers/promises';
import { pullSubscriptionOf } from '../nats/nats-internals';
import { type Route } from './event-route';

/** Past this, closing stops waiting for the server to confirm a pull subscription's end. */
const DRAIN_TIMEOUT_MS = 2_000;

export interface PullLoopControl {
  /** False once close() has begun: from then on every message is handed back. */
  isRunning(): boolean;
  /** Aborted by close(): cuts short the pause before a re-attach. */
  stopped: AbortSignal;
  /** Takes a message; the loop pulls the next one once this resolves. */
  deliver(route: Route, msg: JsMsg): Promise<void> | void;
  log: Logger;
}

/**
 * Pulls the route's consumer for as long as the transport runs, re-attaching if the consumer's
 * iterator ends. Once close() has begun it only hands back: every message the iterator still
 * yields is nak'd.
 */
export async function pullLoop(
  js: JetStreamClient,
  route: Route,
  control: PullLoopControl,
): Promise<void> {
  while (control.isRunning()) {
    try {
      const consumer = await js.consumers.get(route.stream, route.consumer);
      const messages = await consumer.consume({
        max_messages: Math.min(route.maxAckPending, 256),
      });
      route.messages = messages;
      if (!control.isRunning()) {
        // close() ran while this (re-)attach was under way and could not stop this iterator. Its
        // first pull request is only sent once iterated, so nothing was delivered to it.
        messages.stop();
        break;
      }
      for await (const msg of messages) {
        // The client pulls ahead of the handlers (up to max_ack_pending), so on shutdown its
        // buffer can hold many messages the server counts as delivered. Left alone they would
        // wait out the ack wait (30 s by default) before the server gave them to another
        // instance; a nak without delay hands each back at once.
        if (control.isRunning()) await control.deliver(route, msg);
        else msg.nak();
      }
    } catch (error) {
      if (!control.isRunning()) break;
      control.log.warn(`Consumer ${route.consumer} stopped: ${String(error)}; re-attaching`);
    }
    if (control.isRunning()) {
      await sleep(1_000, undefined, { signal: control.stopped }).catch(() => undefined);
    }
  }
}

/**
 * Ends a `consume()` iterator so that every message the server delivered to it is still yielded.
 *
 * nats.js 2.29's `stop()` unsubscribes at once and queues the iterator's end behind the messages
 * already in its buffer, so those are yielded. But a message the server sent before it saw the
 * UNSUB, still on the wire, would be dropped by the client and wait out the ack wait. Draining the
 * pull subscription (UNSUB, then a PING/PONG round trip) receives those too, and the iterator ends
 * after them. `ConsumerMessages` exposes no drain, so this reaches the subscription nats.js keeps
 * (`pullSubscriptionOf`); without one it falls back to `stop()`.
 */
export async function stopConsuming(messages: ConsumerMessages | undefined): Promise<void> {
  if (!messages) return;
  const sub = pullSubscriptionOf(messages);
  if (sub && !sub.isClosed()) {
    // Bounded: while disconnected the PONG would only come after a reconnect.
    const timeout = new AbortController();
    await Promise.race([
      sub.drain().catch(() => undefined),
      sleep(DRAIN_TIMEOUT_MS, undefined, { signal: timeout.signal }).catch(() => undefined),
    ]);
    timeout.abort();
  }
  // Also ends the iterator's heartbeat monitor and status listener (harmless after a drain).
  messages.stop();
}
