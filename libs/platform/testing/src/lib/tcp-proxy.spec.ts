import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';
import { waitFor } from './wait-for.util';

/** A target that answers every chunk with `echo:<chunk>`. */
async function startEchoServer(): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => socket.write(`echo:${chunk.toString()}`));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, sockets };
}

interface Client {
  socket: Socket;
  /** Sends `text` and resolves the answer, or `undefined` if none comes within `timeoutMs`. */
  ask(text: string, timeoutMs?: number): Promise<string | undefined>;
  closed: Promise<string>;
}

async function connectTo(port: number): Promise<Client> {
  const socket = connect({ host: '127.0.0.1', port });
  const closed = new Promise<string>((resolve) => {
    let reason = 'closed';
    socket.on('error', (error: NodeJS.ErrnoException) => (reason = error.code ?? error.message));
    socket.on('close', () => resolve(reason));
  });
  await once(socket, 'connect');
  return {
    socket,
    closed,
    ask(text, timeoutMs = 2_000) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          socket.off('data', onData);
          resolve(undefined);
        }, timeoutMs);
        const onData = (chunk: Buffer): void => {
          clearTimeout(timer);
          resolve(chunk.toString());
        };
        socket.once('data', onData);
        socket.write(text);
      });
    },
  };
}

function connectError(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code));
  });
}

describe('startTcpProxy', () => {
  let target: Awaited<ReturnType<typeof startEchoServer>>;
  let proxy: TcpProxy;
  const clients: Client[] = [];
  const open = async (): Promise<Client> => {
    const client = await connectTo(proxy.port);
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    target = await startEchoServer();
    proxy = await startTcpProxy({ targetHost: '127.0.0.1', targetPort: target.port });
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.destroy();
    await proxy.stop();
    for (const socket of target.sockets) socket.destroy();
    await new Promise((resolve) => target.server.close(resolve));
  });

  it('forwards bytes both ways on a port of its own', async () => {
    const client = await open();

    expect(proxy.port).not.toBe(target.port);
    expect(await client.ask('hello')).toBe('echo:hello');
    expect(proxy.stats()).toMatchObject({ forwarded: 1, open: 1, dropped: 0 });
  });

  it('cut() resets every open connection and black-holes new ones until restore()', async () => {
    const first = await open();
    const second = await open();
    expect(await first.ask('a')).toBe('echo:a');

    await proxy.cut();

    expect(await first.closed).toBe('ECONNRESET');
    expect(await second.closed).toBe('ECONNRESET');
    expect(proxy.isCut).toBe(true);
    // The target sees its side go away as well, as with a broken network.
    await waitFor(() => target.sockets.size === 0, { timeoutMs: 2_000 });
    // A new connection is accepted, but nothing ever answers.
    const held = await open();
    expect(await held.ask('anyone?', 300)).toBeUndefined();
    expect(proxy.stats()).toMatchObject({ dropped: 2, blackholed: 1, open: 0 });

    await proxy.restore();

    expect(await held.closed).toBeDefined(); // held connections are let go
    const after = await open();
    expect(await after.ask('back')).toBe('echo:back');
    expect(proxy.isCut).toBe(false);
  });

  it("cut('refuse') makes new connections fail with ECONNREFUSED, and restore() listens again on the same port", async () => {
    const client = await open();
    const port = proxy.port;

    await proxy.cut('refuse');

    expect(await client.closed).toBe('ECONNRESET');
    expect(await connectError(port)).toBe('ECONNREFUSED');

    await proxy.restore();

    expect(proxy.port).toBe(port);
    const after = await open();
    expect(await after.ask('again')).toBe('echo:again');
  });

  it('closes the client when the target is unreachable, and everything on stop()', async () => {
    const { port: deadPort } = target.server.address() as AddressInfo;
    const toNowhere = await startTcpProxy({ targetHost: '127.0.0.1', targetPort: deadPort });
    await new Promise((resolve) => target.server.close(resolve));
    try {
      const client = await connectTo(toNowhere.port);
      clients.push(client);
      expect(await client.closed).toBeDefined();
    } finally {
      await toNowhere.stop();
    }

    expect(await connectError(toNowhere.port)).toBe('ECONNREFUSED');
    await toNowhere.stop(); // idempotent
    target = await startEchoServer(); // afterEach closes it again
  });
});
