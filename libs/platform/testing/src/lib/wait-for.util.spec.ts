import { createServer } from 'node:net';
import { freePort } from './free-port.util';
import { waitFor } from './wait-for.util';

describe('waitFor', () => {
  it('resolves as soon as the predicate holds', async () => {
    let calls = 0;
    await waitFor(() => ++calls === 3, { intervalMs: 1 });
    expect(calls).toBe(3);
  });

  it('rejects with the message and the last error on timeout', async () => {
    const attempt = waitFor(
      () => {
        throw new Error('connect ECONNREFUSED');
      },
      { timeoutMs: 100, intervalMs: 10, message: 'chat never became ready' },
    );

    await expect(attempt).rejects.toThrow(
      /^chat never became ready \(gave up after 100 ms; last error: connect ECONNREFUSED\)$/,
    );
  });

  it('builds a lazy message only when it times out', async () => {
    let state = 'booting';
    const attempt = waitFor(async () => false, {
      timeoutMs: 50,
      message: () => `state was ${state}`,
    });
    state = 'migrating';

    await expect(attempt).rejects.toThrow('state was migrating');
  });

  it('does not wait past the deadline for a predicate that hangs', async () => {
    const hang = new Promise<boolean>(() => undefined);

    await expect(waitFor(() => hang, { timeoutMs: 50, message: 'hung' })).rejects.toThrow('hung');
  });
});

describe('freePort', () => {
  it('returns a port that can be bound on 127.0.0.1', async () => {
    const port = await freePort();
    const server = createServer();

    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
    expect(port).toBeGreaterThan(0);
  });
});
