import { createServer, type AddressInfo } from 'node:net';

/**
 * Asks the kernel for a currently free TCP port on 127.0.0.1.
 *
 * The port is released before this resolves, so another process may grab it before the caller
 * binds it; callers that spawn a server on it should retry on "address already in use"
 * (as {@link startNatsServer} does).
 *
 * @returns a port number in the ephemeral range.
 */
export function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const { port } = server.address() as AddressInfo;
      server.close((error) => (error ? reject(error) : resolve(port)));
    });
  });
}
