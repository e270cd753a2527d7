import { Wakeup } from './wakeup';

/** Whether `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = await Promise.race([promise.then(() => true as const), late]);
  clearTimeout(timer);
  return settled;
}

describe('Wakeup', () => {
  it('ends a pause when nudged', async () => {
    const wakeup = new Wakeup();
    const pause = wakeup.pause(60_000);
    wakeup.nudge();
    expect(await settlesWithin(pause, 1_000)).toBe(true);
  });

  it('keeps a nudge that comes after a pause timed out, for the next pause', async () => {
    const wakeup = new Wakeup();
    await wakeup.pause(5); // the poll ran out; the loop is busy now
    wakeup.nudge(); // a commit meanwhile
    expect(await settlesWithin(wakeup.pause(60_000), 1_000)).toBe(true);
  });

  it('keeps a nudge that comes while busy, and only for one pause', async () => {
    const wakeup = new Wakeup();
    wakeup.nudge();
    expect(await settlesWithin(wakeup.pause(60_000), 1_000)).toBe(true);
    expect(await settlesWithin(wakeup.pause(200), 50)).toBe(false);
  });
});
