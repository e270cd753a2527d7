import { connect, consumerOpts, type NatsConnection, StringCodec, AckPolicy } from 'nats';
import { provisionStreams } from '../streams/provision-streams';
import { fixtureManifest } from '../testing/fixture-manifest';
import { renderNatsConfig } from './nats-config';
import {
  checkNatsConfig,
  connectAsService,
  freePort,
  type RunningNats,
  startNats,
} from '../testing/nats-server';

const passwords = {
  chat: 'chat-pw',
  stories: 'stories-pw',
  calls: 'calls-pw',
  bots: 'bots-pw',
  gateway: 'gateway-pw',
};
const provisionerPassword = 'provisioner-pw';
const sc = StringCodec();

/** A connection that records the permission violations the server reports for it. */
async function connectAs(port: number, user: keyof typeof passwords | 'stream-provisioner') {
  const password = user === 'stream-provisioner' ? provisionerPassword : passwords[user];
  const { nc, violations } = await connectAsService(port, user, password);
  /** The server answers a PING after it processed everything before it, -ERR included. */
  const settled = async () => {
    await nc.flush();
    await new Promise((resolve) => setTimeout(resolve, 50));
    return violations;
  };
  return { nc, violations, settled };
}

describe('rendered NATS config', () => {
  it('is accepted by nats-server -t', () => {
    const result = checkNatsConfig(
      renderNatsConfig({ manifest: fixtureManifest(), passwords, provisionerPassword }),
    );
    expect(result).toEqual({ ok: true, output: expect.stringContaining('is valid') });
  });

  it('is rejected by nats-server -t when broken (the check can fail)', () => {
    const config = renderNatsConfig({
      manifest: fixtureManifest(),
      passwords,
      provisionerPassword,
    });
    expect(checkNatsConfig(config.replace('accounts {', 'accounts {{')).ok).toBe(false);
  });

  it('renders sync_interval, the monitoring port and JetStream when asked', () => {
    const config = renderNatsConfig({
      manifest: fixtureManifest(),
      passwords,
      provisionerPassword,
      syncInterval: '10s',
      monitorPort: 8222,
    });
    expect(config).toMatch(
      /jetstream \{\n {4}store_dir: "\/data\/jetstream"\n {4}sync_interval: "10s"\n\}/,
    );
    expect(config).toContain('http_port: 8222');
    expect(config).toContain('jetstream: enabled');
  });

  it('refuses a service without a password', () => {
    expect(() =>
      renderNatsConfig({
        manifest: fixtureManifest(),
        passwords: { ...passwords, bots: '' },
        provisionerPassword,
      }),
    ).toThrow('No NATS password for service bots');
    expect(() =>
      renderNatsConfig({ manifest: fixtureManifest(), passwords, provisionerPassword: '' }),
    ).toThrow('No NATS password for the stream provisioner');
  });

  it('refuses a service that would take the stream provisioner’s user name', () => {
    const manifest = fixtureManifest();
    manifest.services['stream-provisioner'] = { ...manifest.services.calls };
    expect(() =>
      renderNatsConfig({
        manifest,
        passwords: { ...passwords, 'stream-provisioner': 'x' },
        provisionerPassword,
      }),
    ).toThrow('"stream-provisioner" is the stream provisioner\'s user, not a service');
  });
});

describe('least privilege on a real nats-server', () => {
  let server: RunningNats;
  const open: NatsConnection[] = [];

  beforeAll(async () => {
    const monitorPort = await freePort();
    server = await startNats((storeDir) =>
      renderNatsConfig({
        manifest: fixtureManifest(),
        passwords,
        provisionerPassword,
        storeDir,
        monitorPort,
      }),
    );
  });

  afterAll(async () => {
    await Promise.all(open.map((nc) => nc.close()));
    await server?.stop();
  });

  async function as(user: keyof typeof passwords | 'stream-provisioner') {
    const connection = await connectAs(server.port, user);
    open.push(connection.nc);
    return connection;
  }

  it('rejects a wrong password', async () => {
    await expect(
      connect({ port: server.port, user: 'chat', pass: 'nope', maxReconnectAttempts: 0 }),
    ).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
  });

  it('lets a service publish its own event and refuses another domain’s event', async () => {
    const chat = await as('chat');
    chat.nc.publish('evt.chat.message.created.v1', sc.encode('{}'));
    expect(await chat.settled()).toEqual([]);

    chat.nc.publish('evt.stories.story.replied.v1', sc.encode('{}'));
    expect(await chat.settled()).toEqual([
      expect.objectContaining({ operation: 'publish', subject: 'evt.stories.story.replied.v1' }),
    ]);
  });

  it('lets a service call an RPC it uses, answered by its owner in its queue group', async () => {
    const stories = await as('stories');
    stories.nc.subscribe('rpc.stories.active-count.v1', {
      queue: 'stories',
      callback: (_error, msg) => msg.respond(sc.encode('{"ok":true,"count":3}')),
    });
    expect(await stories.settled()).toEqual([]);

    const chat = await as('chat');
    const reply = await chat.nc.request('rpc.stories.active-count.v1', sc.encode('{}'), {
      timeout: 2_000,
    });
    expect(sc.decode(reply.data)).toBe('{"ok":true,"count":3}');
    expect(await chat.settled()).toEqual([]);
    expect(await stories.settled()).toEqual([]);
  });

  it('refuses calling an RPC the service does not use, and answering another domain’s RPC', async () => {
    const calls = await as('calls');
    calls.nc.publish('rpc.chat.post-message.v1', sc.encode('{}'));
    calls.nc.subscribe('rpc.chat.check-membership.v1', { queue: 'calls' });
    const violations = await calls.settled();
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ operation: 'publish', subject: 'rpc.chat.post-message.v1' }),
        expect.objectContaining({
          operation: 'subscription',
          subject: 'rpc.chat.check-membership.v1',
        }),
      ]),
    );
  });

  it('lets a service announce the domain it answers as a NATS micro service', async () => {
    const chat = await as('chat');
    // What the platform's transport registers (micro-discovery.ts): the endpoint in the domain's
    // queue group, and the `$SRV` subjects every instance answers.
    const service = await chat.nc.services.add({ name: 'chat', version: '0.1.0', queue: 'chat' });
    service.addEndpoint('post-message-v1', {
      subject: 'rpc.chat.post-message.v1',
      queue: 'chat',
      handler: (_error, msg) => msg.respond(sc.encode('{"ok":true}')),
    });
    expect(await chat.settled()).toEqual([]);
    expect(service.isStopped).toBe(false);
    await service.stop();
  });

  it('refuses answering its own RPC outside its queue group', async () => {
    const chat = await as('chat');
    chat.nc.subscribe('rpc.chat.post-message.v1');
    expect(await chat.settled()).toEqual([
      expect.objectContaining({ operation: 'subscription', subject: 'rpc.chat.post-message.v1' }),
    ]);
  });

  it('lets only the stream provisioner create streams, and it may do nothing else', async () => {
    const chat = await as('chat');
    const chatJsm = await chat.nc.jetstreamManager();
    await expect(
      chatJsm.streams.add({ name: 'CHAT', subjects: ['evt.chat.>'] }),
    ).rejects.toBeDefined();
    expect((await chat.settled()).map((violation) => violation.subject)).toContain(
      '$JS.API.STREAM.CREATE.CHAT',
    );

    const provisioner = await as('stream-provisioner');
    const jsm = await provisioner.nc.jetstreamManager();
    const outcomes = await provisionStreams(jsm, fixtureManifest().streams);
    expect(outcomes.map((outcome) => `${outcome.action} ${outcome.stream}`)).toEqual([
      'created CHAT',
      'created STORIES',
      'created CALLS',
      'created BOTS',
      'created DLQ',
    ]);
    expect(await provisioner.settled()).toEqual([]);

    // No delete, purge, consumers or messages for the provisioner.
    await expect(jsm.streams.purge('CHAT')).rejects.toBeDefined();
    await expect(jsm.streams.delete('DLQ')).rejects.toBeDefined();
    await expect(
      jsm.consumers.add('CHAT', { durable_name: 'x', ack_policy: AckPolicy.Explicit }),
    ).rejects.toBeDefined();
    provisioner.nc.publish('evt.chat.message.created.v1', sc.encode('{}'));
    expect((await provisioner.settled()).map((violation) => violation.subject)).toEqual(
      expect.arrayContaining([
        '$JS.API.STREAM.PURGE.CHAT',
        '$JS.API.STREAM.DELETE.DLQ',
        'evt.chat.message.created.v1',
      ]),
    );
  });

  it('carries an event through JetStream: the publisher stores it, its consumer pulls and acks it', async () => {
    // Streams exist (created by the provisioner above); services only read their info.
    const chat = await as('chat');
    const jsm = await chat.nc.jetstreamManager();
    expect((await jsm.streams.info('CHAT')).config.subjects).toEqual(['evt.chat.>']);
    const ack = await chat.nc
      .jetstream()
      .publish('evt.chat.message.created.v1', sc.encode('{"id":1}'));
    expect(ack.stream).toBe('CHAT');

    const bots = await as('bots');
    const botsJsm = await bots.nc.jetstreamManager();
    const consumer = 'bots_evt-chat-message-created-v1';
    await botsJsm.consumers.add('CHAT', {
      durable_name: consumer,
      filter_subject: 'evt.chat.message.created.v1',
      ack_policy: AckPolicy.Explicit,
    });
    const pulled = await (
      await bots.nc.jetstream().consumers.get('CHAT', consumer)
    ).next({
      expires: 2_000,
    });
    expect(pulled && sc.decode(pulled.data)).toBe('{"id":1}');
    expect(await pulled?.ackAck()).toBe(true);
    expect(await bots.settled()).toEqual([]);

    // bots may not touch another service's consumer nor delete the stream.
    await expect(
      botsJsm.consumers.add('CHAT', {
        durable_name: 'chat_evt-chat-message-created-v1',
        ack_policy: AckPolicy.Explicit,
      }),
    ).rejects.toBeDefined();
    await expect(botsJsm.streams.delete('CHAT')).rejects.toBeDefined();
    const refused = (await bots.settled()).map((violation) => violation.subject);
    expect(refused).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^\$JS\.API\.CONSUMER\.CREATE\.CHAT\.chat_evt-chat-message-created-v1/,
        ),
        '$JS.API.STREAM.DELETE.CHAT',
      ]),
    );
    const info = await jsm.streams.info('CHAT');
    expect(info.state.messages).toBe(1);
  });

  it('lets the gateway follow a stream live with an ordered consumer, and relay pushes', async () => {
    // Streams exist (created by the provisioner above).
    const gateway = await as('gateway');
    // Its boot check with EVENTS_STREAMS=verify: the info of each stream it reads.
    const jsm = await gateway.nc.jetstreamManager();
    for (const stream of ['CALLS', 'CHAT', 'STORIES']) {
      expect((await jsm.streams.info(stream)).config.name).toBe(stream);
    }
    const opts = consumerOpts();
    opts.orderedConsumer();
    opts.deliverNew();
    const feed = await gateway.nc.jetstream().subscribe('evt.chat.>', opts);
    const pushes = gateway.nc.subscribe('push.calls.signal.v1.*');

    const chat = await as('chat');
    await chat.nc.jetstream().publish('evt.chat.message.created.v1', sc.encode('{"id":2}'));
    const calls = await as('calls');
    calls.nc.publish('push.calls.signal.v1.bob', sc.encode('{"sdp":"x"}'));

    const first = <T>(iterable: AsyncIterable<T>) =>
      Promise.race([
        iterable[Symbol.asyncIterator]().next(),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('nothing arrived')), 5_000),
        ),
      ]);
    const event = await first(feed);
    expect(sc.decode(event.value.data)).toBe('{"id":2}');
    const push = await first(pushes);
    expect(push.value.subject).toBe('push.calls.signal.v1.bob');
    feed.unsubscribe();
    pushes.unsubscribe();
    expect(await gateway.settled()).toEqual([]);
    expect(await calls.settled()).toEqual([]);
  });

  it('refuses the gateway any durable or named consumer, pulling, acking, deleting and other pushes', async () => {
    const gateway = await as('gateway');
    const jsm = await gateway.nc.jetstreamManager();
    const botsConsumer = 'bots_evt-chat-message-created-v1';
    await expect(
      jsm.consumers.add('CHAT', { durable_name: 'gateway_feed', ack_policy: AckPolicy.Explicit }),
    ).rejects.toBeDefined();
    await expect(jsm.consumers.delete('CHAT', botsConsumer)).rejects.toBeDefined();
    gateway.nc.publish(`$JS.API.CONSUMER.MSG.NEXT.CHAT.${botsConsumer}`, sc.encode('{}'));
    gateway.nc.publish(`$JS.ACK.CHAT.${botsConsumer}.1.1.1.1.0`);
    gateway.nc.publish('evt.chat.message.created.v1', sc.encode('{}'));
    gateway.nc.subscribe('push.chat.message.v1.*');
    const refused = (await gateway.settled()).map((violation) => violation.subject);
    expect(refused).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\$JS\.API\.CONSUMER\.CREATE\.CHAT\.gateway_feed/),
        `$JS.API.CONSUMER.DELETE.CHAT.${botsConsumer}`,
        `$JS.API.CONSUMER.MSG.NEXT.CHAT.${botsConsumer}`,
        `$JS.ACK.CHAT.${botsConsumer}.1.1.1.1.0`,
        'evt.chat.message.created.v1',
        'push.chat.message.v1.*',
      ]),
    );
    // bots' durable consumer is untouched.
    const botsJsm = await (await as('bots')).nc.jetstreamManager();
    expect((await botsJsm.consumers.info('CHAT', botsConsumer)).name).toBe(botsConsumer);
  });
});
