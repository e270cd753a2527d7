/**
 * A polling loop's pause that a nudge cuts short. A nudge that comes while the loop is busy (not
 * pausing) is kept for its next pause, which then ends at once: the loop's work may have read the
 * table before the nudging commit, so skipping the nudge would leave that commit's rows waiting
 * for the next poll.
 */
export class Wakeup {
  private pending = false;
  private wake?: () => void;

  nudge(): void {
    this.pending = true;
    this.wake?.();
  }

  /** Resolves after `ms`, or as soon as nudged — at once if a nudge came since the last pause. */
  pause(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), ms);
      // Both ways out forget this pause's wake: a later nudge must only set `pending`.
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        this.pending = false;
        resolve();
      };
      this.wake = done;
    });
  }
}
