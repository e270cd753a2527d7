/** A counting semaphore: at most `size` handlers run at once per consumer. */
export class Semaphore {
  private available: number;
  private readonly waiting: ((acquired: boolean) => void)[] = [];
  private closed = false;

  constructor(size: number) {
    this.available = size;
  }

  /** Resolves `true` with a slot, or `false` once the semaphore is closed (no slot taken). */
  acquire(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.available > 0) {
      this.available -= 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** A slot now if one is free, without waiting. */
  tryAcquire(): boolean {
    if (this.closed || this.available === 0) return false;
    this.available -= 1;
    return true;
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next(true);
    else this.available += 1;
  }

  /** Refuses every waiting and later `acquire()`; slots already held are still released. */
  close(): void {
    this.closed = true;
    for (const refuse of this.waiting.splice(0)) refuse(false);
  }
}
