import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { freePort, natsServerBinary, type RunningNats, startNats } from '../testing/nats-server';
import { parseStreams, provisionStreams, run, type StreamDefinition } from './provision-streams';

const DAY_NS = 24 * 60 * 60 * 1e9;
const SECOND_NS = 1e9;

/** The five streams of the platform, as the messaging manifest lists them. */
function platformStreams(): StreamDefinition[] {
  const stream = (name: string, subject: string): StreamDefinition => ({
    name,
    subjects: [subject],
    retention: 'limits',
    storage: 'file',
    max_age: 7 * DAY_NS,
    duplicate_window: 120 * SECOND_NS,
    discard: 'old',
  });
  return [
    ...['chat', 'stories', 'calls', 'bots'].map((domain) =>
      stream(domain.toUpperCase(), `evt.${domain}.>`),
    ),
    stream('DLQ', 'dlq.>'),
  ];
}

const jetstreamOnly = (storeDir: string) => `jetstream { store_dir: "${storeDir}" }\n`;

/** What run() printed, line by line. */
function recorder() {
  const lines = { log: [] as string[], error: [] as string[] };
  return {
    lines,
    out: {
      log: (line: string) => lines.log.push(line),
      error: (line: string) => lines.error.push(line),
    },
  };
}

describe('provisionStreams against a real nats-server', () => {
  let nats: RunningNats;
  let nc: NatsConnection;
  /** JetStream API subjects the provisioner called, as another client on the server sees them. */
  let apiCalls: string[];

  beforeAll(async () => {
    nats = await startNats(jetstreamOnly);
    nc = await connect({ port: nats.port });
    apiCalls = [];
    nc.subscribe('$JS.API.STREAM.>', { callback: (_error, msg) => apiCalls.push(msg.subject) });
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  it('creates the five streams, then finds them unchanged without calling update', async () => {
    const jsm = await nc.jetstreamManager();
    const first = await provisionStreams(jsm, platformStreams());
    expect(first).toEqual(
      ['CHAT', 'STORIES', 'CALLS', 'BOTS', 'DLQ'].map((stream) => ({
        stream,
        action: 'created',
        changed: [],
      })),
    );
    const calls = await jsm.streams.info('CALLS');
    expect(calls.config).toMatchObject({
      subjects: ['evt.calls.>'],
      retention: 'limits',
      storage: 'file',
      max_age: 7 * DAY_NS,
      duplicate_window: 120 * SECOND_NS,
      discard: 'old',
      num_replicas: 1,
    });

    await nc.flush();
    apiCalls.length = 0;
    const second = await provisionStreams(jsm, platformStreams());
    expect(second.map(({ stream, action }) => `${action} ${stream}`)).toEqual([
      'unchanged CHAT',
      'unchanged STORIES',
      'unchanged CALLS',
      'unchanged BOTS',
      'unchanged DLQ',
    ]);
    await nc.flush();
    expect(apiCalls.filter((subject) => !subject.startsWith('$JS.API.STREAM.INFO.'))).toEqual([]);
  });

  it('updates a stream whose max_age changed, naming the key, and the server applies it', async () => {
    const jsm = await nc.jetstreamManager();
    const definitions = platformStreams().map((definition) =>
      definition.name === 'DLQ' ? { ...definition, max_age: 30 * DAY_NS } : definition,
    );
    const outcomes = await provisionStreams(jsm, definitions);
    expect(outcomes.filter(({ action }) => action !== 'unchanged')).toEqual([
      { stream: 'DLQ', action: 'updated', changed: ['max_age'] },
    ]);
    expect((await jsm.streams.info('DLQ')).config.max_age).toBe(30 * DAY_NS);
  });

  it('fails naming the stream and the server reason when JetStream refuses the change', async () => {
    const jsm = await nc.jetstreamManager();
    const definitions = platformStreams().map((definition) =>
      definition.name === 'STORIES' ? { ...definition, storage: 'memory' as const } : definition,
    );
    await expect(provisionStreams(jsm, definitions)).rejects.toThrow(
      /^stream STORIES: .*storage.*\(JetStream error \d+\)$/i,
    );
    expect((await jsm.streams.info('STORIES')).config.storage).toBe('file');
  });
});

describe('run() with the permissions of the platform provisioner user', () => {
  const streams = platformStreams();
  const allowedPublish = (denied: string | undefined) => [
    '$JS.API.INFO',
    ...streams.flatMap(({ name }) =>
      ['INFO', 'CREATE', 'UPDATE']
        .filter((api) => !(api === 'CREATE' && name === denied))
        .map((api) => `$JS.API.STREAM.${api}.${name}`),
    ),
  ];
  /** Account A with JetStream; `provisioner` may create every stream but `denied`. */
  const render = (denied: string | undefined) => (storeDir: string) => `
jetstream { store_dir: "${storeDir}" }
accounts {
  A {
    jetstream: enabled
    users: [
      {
        user: provisioner
        password: provisioner-secret
        permissions: {
          publish: { allow: ${JSON.stringify(allowedPublish(denied))} }
          subscribe: { allow: ["_INBOX.provisioner.>"] }
        }
      }
    ]
  }
}
`;
  const env = (port: number) => ({
    NATS_URL: `nats://127.0.0.1:${port}`,
    NATS_USER: 'provisioner',
    NATS_PASSWORD: 'provisioner-secret',
    STREAMS: JSON.stringify(streams),
    STREAMS_CONNECT_TIMEOUT_MS: '20000',
  });

  it('creates every stream and prints one line per stream', async () => {
    const nats = await startNats(render(undefined));
    try {
      const { lines, out } = recorder();
      expect(await run(env(nats.port), out)).toBe(0);
      expect(lines).toEqual({
        log: ['created CHAT', 'created STORIES', 'created CALLS', 'created BOTS', 'created DLQ'],
        error: [],
      });

      const again = recorder();
      const changed = streams.map((definition) =>
        definition.name === 'DLQ'
          ? { ...definition, max_age: DAY_NS, num_replicas: 1 }
          : definition,
      );
      const code = await run({ ...env(nats.port), STREAMS: JSON.stringify(changed) }, again.out);
      expect(again.lines.error).toEqual([]);
      expect(code).toBe(0);
      expect(again.lines.log).toEqual([
        'unchanged CHAT',
        'unchanged STORIES',
        'unchanged CALLS',
        'unchanged BOTS',
        'updated DLQ (max_age)',
      ]);
    } finally {
      await nats.stop();
    }
  });

  it('exits 1 at once, naming the stream, when the user may not create one of them', async () => {
    const nats = await startNats(render('BOTS'));
    try {
      const { lines, out } = recorder();
      const started = Date.now();
      expect(await run(env(nats.port), out)).toBe(1);
      // Far below STREAMS_CONNECT_TIMEOUT_MS (20 s): a refusal is not waited out.
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(lines.error).toEqual([
        expect.stringMatching(
          /stream BOTS: .*permissions violation.*\$JS\.API\.STREAM\.CREATE\.BOTS/i,
        ),
      ]);
    } finally {
      await nats.stop();
    }
  });

  it('exits 1 at once when NATS refuses the password', async () => {
    const nats = await startNats(render(undefined));
    try {
      const { lines, out } = recorder();
      const started = Date.now();
      expect(await run({ ...env(nats.port), NATS_PASSWORD: 'wrong' }, out)).toBe(1);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(lines.error).toEqual([expect.stringMatching(/authorization violation/i)]);
    } finally {
      await nats.stop();
    }
  });
});

describe('run() waiting for NATS', () => {
  /** nats-server on a given port (startNats picks its own), as a platform starting late would. */
  function natsOn(port: number, storeDir: string): ChildProcess {
    return spawn(
      natsServerBinary(),
      ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir],
      { stdio: 'ignore' },
    );
  }

  it('keeps trying until a server that starts later is up, then provisions', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'sb-late-nats-'));
    let server: ChildProcess | undefined;
    const timer = setTimeout(() => {
      server = natsOn(port, dir);
    }, 1_500);
    try {
      const { lines, out } = recorder();
      const started = Date.now();
      const code = await run(
        {
          NATS_URL: `nats://127.0.0.1:${port}`,
          STREAMS: JSON.stringify(platformStreams()),
          STREAMS_CONNECT_TIMEOUT_MS: '15000',
        },
        out,
      );
      expect(lines.error).toEqual([]);
      expect(code).toBe(0);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
      expect(lines.log).toHaveLength(5);
      expect(lines.log.every((line) => line.startsWith('created '))).toBe(true);
    } finally {
      clearTimeout(timer);
      if (server !== undefined && server.exitCode === null) {
        const exited = new Promise((resolve) => server?.once('exit', resolve));
        server.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives up after STREAMS_CONNECT_TIMEOUT_MS saying it could not reach NATS', async () => {
    const port = await freePort();
    const { lines, out } = recorder();
    const started = Date.now();
    const code = await run(
      {
        NATS_URL: `nats://127.0.0.1:${port}`,
        STREAMS: JSON.stringify(platformStreams()),
        STREAMS_CONNECT_TIMEOUT_MS: '1500',
      },
      out,
    );
    expect(code).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(lines.log).toEqual([]);
    expect(lines.error).toEqual([
      expect.stringMatching(
        new RegExp(`could not reach NATS at nats://127\\.0\\.0\\.1:${port} within 1500 ms`),
      ),
    ]);
  });
});

describe('run() with bad input', () => {
  /** Nothing listens here: a run that got as far as connecting would fail differently. */
  const unreachable = 'nats://127.0.0.1:1';
  const streams = JSON.stringify(platformStreams());

  it.each([
    ['no NATS_URL', { STREAMS: streams }, /NATS_URL is required/],
    [
      'a user without a password',
      { NATS_URL: unreachable, NATS_USER: 'provisioner', STREAMS: streams },
      /NATS_USER and NATS_PASSWORD must be set together/,
    ],
    ['no STREAMS', { NATS_URL: unreachable }, /STREAMS is required/],
    [
      'STREAMS that is not JSON',
      { NATS_URL: unreachable, STREAMS: '[{' },
      /^stream provisioner: STREAMS: not JSON/,
    ],
    [
      'duplicate stream names',
      {
        NATS_URL: unreachable,
        STREAMS: JSON.stringify([...platformStreams(), platformStreams()[0]]),
      },
      /STREAMS: entry 5: stream name CHAT appears more than once/,
    ],
    [
      'a timeout that is not a number',
      { NATS_URL: unreachable, STREAMS: streams, STREAMS_CONNECT_TIMEOUT_MS: 'soon' },
      /STREAMS_CONNECT_TIMEOUT_MS must be a positive whole number/,
    ],
  ])('exits 1 on %s, naming the variable, without connecting', async (_case, env, message) => {
    const { lines, out } = recorder();
    const started = Date.now();
    expect(await run(env, out)).toBe(1);
    expect(Date.now() - started).toBeLessThan(500); // no connection attempt, no retry pause
    expect(lines).toEqual({ log: [], error: [expect.stringMatching(message)] });
  });
});

describe('parseStreams', () => {
  const valid = platformStreams()[0];

  it('reads the definitions it is given, keeping num_replicas when set', () => {
    const definitions = [{ ...valid, num_replicas: 3 }];
    expect(parseStreams(JSON.stringify(definitions))).toEqual(definitions);
  });

  it.each([
    ['an empty list', [], /the list of streams is empty/],
    ['an object instead of a list', { ...valid }, /not a JSON array/],
    [
      'a name with a dot',
      [{ ...valid, name: 'CHAT.V1' }],
      /entry 0: name must be letters, digits, _ or -/,
    ],
    [
      'no subjects',
      [{ ...valid, subjects: [] }],
      /entry 0 \(CHAT\): subjects must be a non-empty array/,
    ],
    [
      'an unknown retention',
      [{ ...valid, retention: 'forever' }],
      /entry 0 \(CHAT\): retention must be one of limits, interest, workqueue/,
    ],
    [
      'a duration in seconds as text',
      [{ ...valid, max_age: '7d' }],
      /entry 0 \(CHAT\): max_age must be a whole number of nanoseconds/,
    ],
    ['a misspelt key', [{ ...valid, maxAge: 1 }], /entry 0 \(CHAT\): unknown field maxAge/],
    [
      'zero replicas',
      [{ ...valid, num_replicas: 0 }],
      /entry 0 \(CHAT\): num_replicas must be an integer from 1 to 5/,
    ],
  ])('rejects %s', (_case, value, message) => {
    expect(() => parseStreams(JSON.stringify(value))).toThrow(message);
  });
});
