import { FrameWaiter } from './frame.waiter';

describe('FrameWaiter', () => {
  it('completes the operation waiting for a text with the arrival time of its frame, once', async () => {
    const waiter = new FrameWaiter();
    const reply = waiter.expect('r1.7');
    waiter.onFrame('/echo r1.7', 10);
    waiter.onFrame('r1.7', 12.5);
    waiter.onFrame('r1.7', 20);

    await expect(reply).resolves.toBe(12.5);
  });

  it('fails a preparation step whose frame does not come in time', async () => {
    const waiter = new FrameWaiter();
    await expect(waiter.expect('prepare.echo.0', 20)).rejects.toThrow(
      'no frame "prepare.echo.0" within 20 ms',
    );
  });

  it('ignores frames of cancelled and cleared waits', async () => {
    const waiter = new FrameWaiter();
    let settled = false;
    void waiter.expect('r1.1').then(() => (settled = true));
    void waiter.expect('r1.2', 50).finally(() => (settled = true));
    waiter.cancel('r1.1');
    waiter.clear();
    waiter.onFrame('r1.1', 1);
    waiter.onFrame('r1.2', 1);
    await new Promise((resolve) => setTimeout(resolve, 80));

    expect(settled).toBe(false);
  });
});
