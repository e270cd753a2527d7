import { AckPolicy, DeliverPolicy, type NatsConnection, NatsError, nanos, StringCodec } from 'nats';
import { provisionedStreams } from '../components/stream-provisioner';
import { provisionStreams } from '../streams/provision-streams';
import { SERVICE_NAMES } from '../testing/topologies';
import { loadManifest } from './load-manifest';
import { serviceNames } from './manifest';
import { renderNatsConfig } from './nats-config';
import { natsPermissionsFor, STREAM_PROVISIONER_USER, streamsUsedBy } from './permissions';
import {
  checkNatsConfig,
  connectAsService,
  freePort,
  type RunningNats,
  startNats,
  type Violation,
} from '../testing/nats-server';

/**
 * The permissions generated from the real manifest (infra/generated/messaging-manifest.json),
 * exercised on a real nats-server: every service may do exactly what its contracts say.
 */
const manifest = loadManifest();
const services = serviceNames(manifest);
const passwords = Object.fromEntries(services.map((service) => [service, `${service}-secret`]));
const provisionerPassword = 'provisioner-secret';
const sc = StringCodec();

describe('the generated messaging manifest', () => {
  it('names exactly the deployable services', () => {
    expect(services).toEqual([...SERVICE_NAMES].sort());
  });

  it('defines one stream per domain and the DLQ', () => {
    expect(manifest.streams.map((stream) => stream.name)).toEqual([
      'CHAT',
      'STORIES',
      'CALLS',
      'BOTS',
      'DLQ',
    ]);
  });

  it('yields permissions for every service without a violation', () => {
    for (const service of services) {
      const permissions = natsPermissionsFor(service, manifest.services[service]);
      const events = permissions.publish.allow.filter((subject) => subject.startsWith('evt.'));
      expect(events.sort()).toEqual([...manifest.services[service].publishes].sort());
    }
  });

  it('renders a config nats-server accepts', () => {
    const result = checkNatsConfig(renderNatsConfig({ manifest, passwords, provisionerPassword }));
    expect(result.output).toContain('is valid');
    expect(result.ok).toBe(true);
  });
});

describe('generated permissions on a real nats-server', () => {
  let server: RunningNats;
  const connections = new Map<string, { nc: NatsConnection; violations: Violation[] }>();

  beforeAll(async () => {
    const monitorPort = await freePort();
    server = await startNats((storeDir) =>
      renderNatsConfig({ manifest, passwords, provisionerPassword, storeDir, monitorPort }),
    );
    // The platform's provisioner creates the streams before any service starts.
    const provisioner = await connectAsService(
      server.port,
      STREAM_PROVISIONER_USER,
      provisionerPassword,
    );
    await provisionStreams(
      await provisioner.nc.jetstreamManager(),
      provisionedStreams(manifest, 1),
    );
    await provisioner.nc.close();
    expect(provisioner.violations).toEqual([]);
    for (const service of services) {
      connections.set(service, await connectAsService(server.port, service, passwords[service]));
    }
    // Each service answers its RPCs in its own queue group, echoing the subject.
    for (const service of services) {
      const { nc } = connections.get(service) as { nc: NatsConnection };
      for (const subject of manifest.services[service].answers) {
        nc.subscribe(subject, {
          queue: service,
          callback: (_error, msg) => msg.respond(sc.encode(JSON.stringify({ ok: true, subject }))),
        });
      }
    }
  });

  afterAll(async () => {
    await Promise.all([...connections.values()].map(({ nc }) => nc.close()));
    await server?.stop();
  });

  async function violationsOf(service: string): Promise<Violation[]> {
    const { nc, violations } = connections.get(service) as {
      nc: NatsConnection;
      violations: Violation[];
    };
    await nc.flush();
    await new Promise((resolve) => setTimeout(resolve, 50));
    return violations.splice(0);
  }

  it.each(services)(
    '%s answers its RPCs in its queue group without a violation',
    async (service) => {
      expect(await violationsOf(service)).toEqual([]);
    },
  );

  it.each(services)('%s may publish every event it owns and its pushes', async (service) => {
    const { nc } = connections.get(service) as { nc: NatsConnection };
    for (const subject of manifest.services[service].publishes)
      nc.publish(subject, sc.encode('{}'));
    for (const push of manifest.services[service].pushes)
      nc.publish(`${push}.alice`, sc.encode('{}'));
    expect(await violationsOf(service)).toEqual([]);
  });

  it.each(services)('%s may not publish any other service’s event', async (service) => {
    const { nc } = connections.get(service) as { nc: NatsConnection };
    const foreign = services
      .filter((other) => other !== service)
      .flatMap((other) => manifest.services[other].publishes);
    for (const subject of foreign) nc.publish(subject, sc.encode('{}'));
    const refused = (await violationsOf(service)).map((violation) => violation.subject);
    expect(refused.sort()).toEqual([...foreign].sort());
  });

  it.each(services)('%s gets an answer to every RPC it calls', async (service) => {
    const { nc } = connections.get(service) as { nc: NatsConnection };
    for (const subject of manifest.services[service].calls) {
      const reply = await nc.request(subject, sc.encode('{}'), { timeout: 2_000 });
      expect(JSON.parse(sc.decode(reply.data))).toEqual({ ok: true, subject });
    }
    expect(await violationsOf(service)).toEqual([]);
  });

  it.each(services)('%s may not call an RPC it does not use', async (service) => {
    const { nc } = connections.get(service) as { nc: NatsConnection };
    const uses = new Set(manifest.services[service].calls);
    const others = services
      .flatMap((other) => manifest.services[other].answers)
      .filter((subject) => !uses.has(subject));
    for (const subject of others) nc.publish(subject, sc.encode('{}'), { reply: '_INBOX.x' });
    const refused = (await violationsOf(service)).map((violation) => violation.subject);
    expect(refused.sort()).toEqual([...others].sort());
  });

  it.each(services)(
    '%s runs its JetStream boot and consume path (as the transport does) without a violation',
    async (service) => {
      const { nc } = connections.get(service) as { nc: NatsConnection };
      const jsm = await nc.jetstreamManager();
      // verifyStreams (EVENTS_STREAMS=verify): the info of every stream the service uses.
      for (const stream of streamsUsedBy(manifest.services[service])) {
        expect((await jsm.streams.info(stream)).config.name).toBe(stream);
      }
      for (const { subject, stream, consumer } of manifest.services[service].consumes) {
        // ensureConsumer: info, then update or create.
        const config = {
          durable_name: consumer,
          filter_subject: subject,
          ack_policy: AckPolicy.Explicit,
          ack_wait: nanos(30_000),
          max_deliver: -1,
          deliver_policy: DeliverPolicy.All,
        };
        try {
          await jsm.consumers.info(stream, consumer);
          await jsm.consumers.update(stream, consumer, config);
        } catch (error) {
          if (!(error instanceof NatsError) || error.api_error?.err_code !== 10014) throw error;
          await jsm.consumers.add(stream, config);
        }
        // The owner's outbox relay publishes the event (PubAck on its inbox).
        const owner = services.find((other) =>
          manifest.services[other].publishes.includes(subject),
        ) as string;
        const ownerConnection = connections.get(owner) as { nc: NatsConnection };
        await ownerConnection.nc.jetstream().publish(subject, sc.encode('{"n":1}'));
        // Pull, nak once, take the redelivery, dead-letter it, terminate.
        const pulled = await (
          await nc.jetstream().consumers.get(stream, consumer)
        ).next({
          expires: 2_000,
        });
        expect(pulled?.subject).toBe(subject);
        pulled?.nak();
        // Other services' turns published the same subject before: their copies may come ahead
        // of the redelivery. Take them out of the way until the nak'd message is back.
        let again = await (
          await nc.jetstream().consumers.get(stream, consumer)
        ).next({
          expires: 2_000,
        });
        for (let skipped = 0; again && again.seq !== pulled?.seq && skipped < 20; skipped++) {
          again.ack();
          again = await (
            await nc.jetstream().consumers.get(stream, consumer)
          ).next({
            expires: 2_000,
          });
        }
        expect(again?.seq).toBe(pulled?.seq);
        expect(again?.info.redeliveryCount).toBe(2);
        const dlq = await nc
          .jetstream()
          .publish(`dlq.${consumer}.${subject}`, again?.data, { msgID: `dlq-${consumer}-1` });
        expect(dlq.stream).toBe('DLQ');
        again?.term();
      }
      expect(await violationsOf(service)).toEqual([]);
    },
  );

  it.each(services)('%s may not create, change or delete a stream', async (service) => {
    const { nc } = connections.get(service) as { nc: NatsConnection };
    const jsm = await nc.jetstreamManager();
    const stream = manifest.streams[0].name;
    await expect(jsm.streams.add({ name: 'ROGUE', subjects: ['rogue.>'] })).rejects.toBeDefined();
    // Straight to the API (the client would read the stream's info first).
    await expect(
      nc.request(`$JS.API.STREAM.UPDATE.${stream}`, sc.encode(JSON.stringify({ name: stream })), {
        timeout: 1_000,
      }),
    ).rejects.toBeDefined();
    await expect(jsm.streams.delete('DLQ')).rejects.toBeDefined();
    const refused = (await violationsOf(service)).map((violation) => violation.subject);
    expect(refused).toEqual(
      expect.arrayContaining([
        '$JS.API.STREAM.CREATE.ROGUE',
        `$JS.API.STREAM.UPDATE.${stream}`,
        '$JS.API.STREAM.DELETE.DLQ',
      ]),
    );
  });
});
