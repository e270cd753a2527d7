import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connect, type NatsConnection } from 'nats';
import { isProcessRunning } from './child-process.util';
import { freePort } from './free-port.util';
import {
  findNatsServerBinary,
  startNatsServer,
  startNatsServerWith,
  type TestNatsServer,
} from './nats-server.harness';
import { waitFor } from './wait-for.util';

jest.setTimeout(60_000);

const started: TestNatsServer[] = [];
const connections: NatsConnection[] = [];
const tempDirs: string[] = [];

async function start(...args: Parameters<typeof startNatsServer>): Promise<TestNatsServer> {
  const server = await startNatsServer(...args);
  started.push(server);
  return server;
}

async function connectTo(server: TestNatsServer): Promise<NatsConnection> {
  const nc = await connect({ servers: server.url, reconnect: false });
  connections.push(nc);
  return nc;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sb-harness-spec-'));
  tempDirs.push(dir);
  return dir;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

afterEach(async () => {
  await Promise.all(connections.splice(0).map((nc) => (nc.isClosed() ? undefined : nc.close())));
  await Promise.all(started.splice(0).map((server) => server.stop()));
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('startNatsServer', () => {
  it('gives two servers started at once their own ports, each serving clients and JetStream', async () => {
    const [a, b] = await Promise.all([start(), start()]);

    expect(a.port).not.toBe(b.port);
    expect(a.url).toBe(`nats://127.0.0.1:${a.port}`);
    expect(a.storeDir).not.toBe(b.storeDir);
    for (const server of [a, b]) {
      const nc = await connectTo(server);
      const jsm = await nc.jetstreamManager();
      const info = await jsm.streams.add({ name: 'CHAT', subjects: ['evt.chat.>'] });
      expect(info.config.name).toBe('CHAT');
      const ack = await nc.jetstream().publish('evt.chat.message.created.v1', 'hi');
      expect(ack.seq).toBe(1);
    }
  });

  it('keeps JetStream data across kill("SIGKILL") and restart() on the same port', async () => {
    const server = await start();
    const before = await connectTo(server);
    await (await before.jetstreamManager()).streams.add({ name: 'CHAT', subjects: ['evt.chat.>'] });
    await before.jetstream().publish('evt.chat.message.created.v1', 'kept');
    await before.close();
    const crashedPid = server.pid;

    await server.kill('SIGKILL');
    expect(isProcessRunning(crashedPid)).toBe(false);
    await server.restart();

    expect(server.pid).not.toBe(crashedPid);
    const after = await connectTo(server);
    const info = await (await after.jetstreamManager()).streams.info('CHAT');
    expect(info.state.messages).toBe(1);
  });

  it('stop() ends the process and removes the store it created', async () => {
    const server = await start();
    expect(isProcessRunning(server.pid)).toBe(true);
    expect(await exists(server.storeDir)).toBe(true);

    await server.stop();

    expect(isProcessRunning(server.pid)).toBe(false);
    expect(await exists(server.storeDir)).toBe(false);
    await expect(server.restart()).rejects.toThrow(/was stopped/);
  });

  it('stop() keeps a store dir the caller passed in', async () => {
    const storeDir = await tempDir();
    const server = await start({ storeDir });
    expect(server.storeDir).toBe(storeDir);

    await server.stop();

    expect(await exists(join(storeDir, 'jetstream'))).toBe(true);
  });

  it('with jetstream: false serves core NATS only', async () => {
    const server = await start({ jetstream: false });
    const nc = await connectTo(server);

    const reply = nc.subscribe('rpc.echo');
    void (async () => {
      for await (const msg of reply) msg.respond(msg.data);
    })();
    expect((await nc.request('rpc.echo', 'ping')).string()).toBe('ping');
    await expect(nc.jetstreamManager()).rejects.toThrow();
  });

  it('passes extra args to nats-server', async () => {
    const server = await start({ args: ['--name', 'harness-spec'] });
    const nc = await connectTo(server);
    expect(nc.info?.server_name).toBe('harness-spec');
  });

  it('picks another port when the first free port is taken before nats-server binds it', async () => {
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as { port: number }).port;
    const ports = [taken];
    try {
      const server = await startNatsServerWith(
        {},
        { pickPort: async () => ports.shift() ?? freePort() },
      );
      started.push(server);

      expect(server.port).not.toBe(taken);
      const nc = await connectTo(server);
      expect(nc.info?.port).toBe(server.port);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('fails with the server output when an explicit port is taken', async () => {
    const blocker = await start();

    await expect(startNatsServer({ port: blocker.port })).rejects.toThrow(/address already in use/);
  });

  it('does not leave nats-server running when the test process exits without stop()', async () => {
    const dir = await tempDir();
    const script = join(dir, 'leak.js');
    await writeFile(
      script,
      [
        `const { startNatsServer } = require(${JSON.stringify(join(__dirname, 'nats-server.harness.ts'))});`,
        'startNatsServer().then((s) => {',
        '  console.log(JSON.stringify({ pid: s.pid, storeDir: s.storeDir }));',
        '  process.exit(0);',
        '});',
      ].join('\n'),
    );
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-r', require.resolve('@swc-node/register'), script],
      { timeout: 30_000 },
    );
    const leaked = JSON.parse(stdout.trim()) as { pid: number; storeDir: string };

    await waitFor(() => !isProcessRunning(leaked.pid), {
      timeoutMs: 5_000,
      message: `nats-server ${leaked.pid} outlived its test process`,
    });
    expect(await exists(leaked.storeDir)).toBe(false);
  });
});

describe('nats-server binary lookup', () => {
  it('explains where it looked and how to install nats-server when the binary is missing', async () => {
    const emptyDir = await tempDir();
    const lookup = () =>
      findNatsServerBinary({
        env: { PATH: emptyDir },
        fallback: join(emptyDir, 'sbin/nats-server'),
      });

    expect(lookup).toThrow(`on PATH (${emptyDir})`);
    expect(lookup).toThrow(`at ${join(emptyDir, 'sbin/nats-server')}`);
    expect(lookup).toThrow('apt-get install nats-server');
  });

  it('falls back to the fixed install path when PATH has no nats-server', async () => {
    const sbin = await tempDir();
    const installed = join(sbin, 'nats-server');
    await writeFile(installed, '#!/bin/sh\n');
    await chmod(installed, 0o755);

    expect(findNatsServerBinary({ env: { PATH: await tempDir() }, fallback: installed })).toBe(
      installed,
    );
  });

  it('prefers nats-server on PATH over the fallback', async () => {
    const binDir = await tempDir();
    const onPath = join(binDir, 'nats-server');
    await writeFile(onPath, '#!/bin/sh\n');
    await chmod(onPath, 0o755);

    expect(findNatsServerBinary({ env: { PATH: binDir }, fallback: '/usr/sbin/nats-server' })).toBe(
      onPath,
    );
  });

  it('rejects startNatsServer with the missing path when NATS_SERVER_BIN points nowhere', async () => {
    const previous = process.env['NATS_SERVER_BIN'];
    process.env['NATS_SERVER_BIN'] = '/nonexistent/bin/nats-server';
    try {
      await expect(startNatsServer()).rejects.toThrow(
        /nats-server not found at \/nonexistent\/bin\/nats-server \(set by NATS_SERVER_BIN\).*apt-get install nats-server/,
      );
    } finally {
      if (previous === undefined) delete process.env['NATS_SERVER_BIN'];
      else process.env['NATS_SERVER_BIN'] = previous;
    }
  });

  it('rejects startNatsServer when the binary option points nowhere', async () => {
    await expect(startNatsServer({ binary: '/nonexistent/nats-server' })).rejects.toThrow(
      /not found at \/nonexistent\/nats-server \(set by the `binary` option\)/,
    );
  });
});
