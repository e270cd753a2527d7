interface Wait {
  resolve(receivedAt: number): void;
  timer?: NodeJS.Timeout;
}

/**
 * Matches chat message frames seen on the sockets to the operations waiting for them, by text:
 * every operation of a run posts a text no other operation uses. A frame nobody waits for (the
 * user's own `/echo …` message, a late answer of a finished run) is ignored.
 */
export class FrameWaiter {
  private readonly waiting = new Map<string, Wait>();

  /** For `SocketFleet.onMessage`: the frame's text and the `performance.now()` it arrived at. */
  readonly onFrame = (text: string, receivedAt: number): void => {
    const wait = this.waiting.get(text);
    if (!wait) return;
    this.forget(text);
    wait.resolve(receivedAt);
  };

  /**
   * Resolves with the arrival time of the first frame carrying `text`. Register before sending
   * what causes it: the frame may beat the HTTP response. `timeoutMs` is for preparation steps;
   * during a run the open loop's drain time bounds the wait instead.
   */
  expect(text: string, timeoutMs?: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.waiting.delete(text);
              reject(new Error(`no frame "${text}" within ${timeoutMs} ms`));
            }, timeoutMs);
      this.waiting.set(text, { resolve, timer });
    });
  }

  /** Stops waiting for `text` (its request failed: the frame will never come); it never settles. */
  cancel(text: string): void {
    this.forget(text);
  }

  /** Forgets every wait: after a run, what is still awaited is lost. */
  clear(): void {
    for (const text of [...this.waiting.keys()]) this.forget(text);
  }

  private forget(text: string): void {
    const wait = this.waiting.get(text);
    if (wait?.timer) clearTimeout(wait.timer);
    this.waiting.delete(text);
  }
}
