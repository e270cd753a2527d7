import { Controller, type INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AppError, contractDigest, defineRpc, type RpcRequest } from '@switchboard/contracts';
import { startNatsServer, type TestNatsServer, waitFor } from '@switchboard/platform-testing';
import {
  connect,
  Empty,
  headers,
  type Msg,
  type NatsConnection,
  RequestStrategy,
  type ServiceMsg,
} from 'nats';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { RpcHandler } from '../handler.decorators';
import { MessagingModule } from '../messaging.module';
import { NATS_CONNECTION } from '../nats/nats-connection';
import { coreMsgOf, rawHeaderBlock } from '../nats/nats-internals';
import { NatsTransport, type NatsTransportOptions } from './nats.transport';

const Echo = defineRpc({
  subject: 'rpc.micro.echo.v1',
  request: z.object({ text: z.string().min(1), delayMs: z.number().int().optional() }).strict(),
  result: z.object({ text: z.string(), instance: z.string() }).strict(),
});
const Refuse = defineRpc({
  subject: 'rpc.micro.refuse.v1',
  request: z.object({}).strict(),
  result: z.object({}).strict(),
});
/** A second domain in the same process: a service of its own. */
const Ping = defineRpc({
  subject: 'rpc.other.ping.v1',
  request: z.object({}).strict(),
  result: z.object({}).strict(),
});

@Controller()
class MicroHandlers {
  readonly instance = `instance-${Math.random()}`;

  @RpcHandler(Echo)
  async echo(request: RpcRequest<typeof Echo>) {
    if (request.delayMs) await sleep(request.delayMs);
    return { text: request.text, instance: this.instance };
  }

  @RpcHandler(Refuse)
  refuse() {
    throw new AppError('MICRO.REFUSED', 'permission_denied', 'not today');
  }

  @RpcHandler(Ping)
  ping() {
    return {};
  }
}

type Identity = Omit<NatsTransportOptions, 'connection'>;

async function startApp(natsUrl: string, identity: Identity): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [MessagingModule.forRoot({ serviceName: identity.serviceName ?? 'test', natsUrl })],
    controllers: [MicroHandlers],
  }).compile();
  const app = moduleRef.createNestApplication(new FastifyAdapter(), { logger: false });
  app.connectMicroservice({
    strategy: new NatsTransport({ connection: app.get(NATS_CONNECTION), ...identity }),
  });
  await app.startAllMicroservices();
  await app.init();
  // The server has the services' subscriptions once the connection's PING came back.
  await app.get<NatsConnection>(NATS_CONNECTION).flush();
  return app;
}

interface EndpointStats {
  name: string;
  subject: string;
  queue_group: string;
  num_requests: number;
  num_errors: number;
  last_error?: string;
  processing_time: number;
  average_processing_time: number;
}

const json = <T>(msg: Msg): T => JSON.parse(new TextDecoder().decode(msg.data)) as T;
const body = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** Every instance's answer to a `$SRV.*` request, as `nats micro` collects them. */
async function askAll<T>(client: NatsConnection, subject: string): Promise<T[]> {
  const answers: T[] = [];
  const replies = await client.requestMany(subject, Empty, {
    strategy: RequestStrategy.Timer,
    maxWait: 500,
  });
  for await (const reply of replies) answers.push(json<T>(reply));
  return answers;
}

async function endpointStats(client: NatsConnection, subject: string): Promise<EndpointStats[]> {
  const reply = await client.request(subject, Empty, { timeout: 2_000 });
  return json<{ endpoints: EndpointStats[] }>(reply).endpoints;
}

describe('NATS micro discovery (real nats-server)', () => {
  let nats: TestNatsServer;
  let raw: NatsConnection;

  beforeAll(async () => {
    nats = await startNatsServer({ jetstream: false });
    raw = await connect({ servers: nats.url });
  });

  afterAll(async () => {
    await raw?.close();
    await nats?.stop();
  });

  describe('a process hosting two domains', () => {
    let app: INestApplication;

    beforeAll(async () => {
      app = await startApp(nats.url, {
        serviceName: 'monolith',
        version: '1.2.3',
        release: 'abc123',
      });
    });

    afterAll(async () => {
      await app?.close();
    });

    it('answers $SRV.PING per domain, with the digest of the contracts it answers', async () => {
      const [micro] = await askAll<Record<string, unknown>>(raw, '$SRV.PING.micro');
      expect(micro).toEqual({
        type: 'io.nats.micro.v1.ping_response',
        name: 'micro',
        id: expect.any(String),
        version: '1.2.3',
        metadata: {
          process: 'monolith',
          release: 'abc123',
          contracts: contractDigest([Echo, Refuse]),
        },
      });
      const other = await askAll<Record<string, unknown>>(raw, '$SRV.PING.other');
      expect(other).toEqual([
        expect.objectContaining({
          name: 'other',
          metadata: expect.objectContaining({ contracts: contractDigest([Ping]) }),
        }),
      ]);
    });

    it('lists the endpoints in $SRV.INFO: subject, queue group = domain, contract digest', async () => {
      const reply = await raw.request('$SRV.INFO.micro', Empty, { timeout: 2_000 });
      const info = json<Record<string, unknown>>(reply);
      expect(info).toMatchObject({
        type: 'io.nats.micro.v1.info_response',
        name: 'micro',
        version: '1.2.3',
        metadata: { contracts: contractDigest([Echo, Refuse]) },
      });
      expect(info['endpoints']).toEqual([
        {
          name: 'echo-v1',
          subject: 'rpc.micro.echo.v1',
          queue_group: 'micro',
          metadata: { contract: contractDigest([Echo]) },
        },
        {
          name: 'refuse-v1',
          subject: 'rpc.micro.refuse.v1',
          queue_group: 'micro',
          metadata: { contract: contractDigest([Refuse]) },
        },
      ]);
    });

    it('counts in $SRV.STATS exactly the requests and errors it answered', async () => {
      const before = await endpointStats(raw, '$SRV.STATS.micro');
      const ok = await raw.request(Echo.subject, body({ text: 'hi', delayMs: 50 }));
      expect(json(ok)).toMatchObject({ ok: true, text: 'hi' });
      await raw.request(Echo.subject, body({ text: 'again' }));
      const invalid = await raw.request(Echo.subject, body({ text: '' }));
      expect(json(invalid)).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
      const late = headers();
      late.set('Switchboard-Deadline', String(Date.now() - 1_000));
      await raw.request(Echo.subject, body({ text: 'late' }), { headers: late, timeout: 2_000 });
      const refused = await raw.request(Refuse.subject, body({}));
      expect(refused.headers?.get('Nats-Service-Error-Code')).toBe('403');

      const after = await endpointStats(raw, '$SRV.STATS.micro');
      const delta = (name: string, key: 'num_requests' | 'num_errors') =>
        (after.find((e) => e.name === name)?.[key] ?? NaN) -
        (before.find((e) => e.name === name)?.[key] ?? NaN);
      expect(delta('echo-v1', 'num_requests')).toBe(4);
      expect(delta('echo-v1', 'num_errors')).toBe(2);
      expect(delta('refuse-v1', 'num_requests')).toBe(1);
      expect(delta('refuse-v1', 'num_errors')).toBe(1);
      const echo = after.find((e) => e.name === 'echo-v1');
      expect(echo?.last_error).toMatch(/^504:Request for rpc\.micro\.echo\.v1 was picked up/);
      expect(after.find((e) => e.name === 'refuse-v1')?.last_error).toBe('403:not today');
      // Timed until the reply, not the synchronous call nats.js would time: 50 ms or more.
      expect(echo?.processing_time).toBeGreaterThanOrEqual(50_000_000);
      expect(echo?.queue_group).toBe('micro');
    });
  });

  describe('replicas of a domain', () => {
    let first: INestApplication;
    let second: INestApplication | undefined;

    beforeAll(async () => {
      first = await startApp(nats.url, { serviceName: 'micro' });
      second = await startApp(nats.url, { serviceName: 'micro' });
    });

    afterAll(async () => {
      await first?.close();
      await second?.close();
    });

    it('both answer PING, and share the requests through the queue group', async () => {
      const pings = await askAll<{ id: string; version: string; metadata: object }>(
        raw,
        '$SRV.PING.micro',
      );
      expect(pings).toHaveLength(2);
      expect(new Set(pings.map((ping) => ping.id)).size).toBe(2);
      for (const ping of pings) {
        expect(ping.version).toBe('0.0.0');
        expect(ping.metadata).toEqual({
          process: 'micro',
          contracts: contractDigest([Echo, Refuse]),
        });
      }

      type Stats = { id: string; endpoints: EndpointStats[] };
      const requestsOf = (all: Stats[]) =>
        new Map(
          all.map((s) => [s.id, s.endpoints.find((e) => e.name === 'echo-v1')?.num_requests]),
        );
      const before = requestsOf(await askAll<Stats>(raw, '$SRV.STATS.micro'));
      const instances = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const reply = await raw.request(Echo.subject, body({ text: `n${i}` }), { timeout: 2_000 });
        instances.add(json<{ instance: string }>(reply).instance);
      }
      const after = requestsOf(await askAll<Stats>(raw, '$SRV.STATS.micro'));
      expect(instances.size).toBe(2);
      // Each request answered once, by one of them.
      const answered = [...after].map(([id, count]) => (count ?? 0) - (before.get(id) ?? 0));
      expect(answered.reduce((sum, count) => sum + count, 0)).toBe(20);
      expect(answered.every((count) => count > 0)).toBe(true);
    });

    it('stops answering PING once closed; the other replica still does', async () => {
      await second?.close();
      second = undefined;
      const pings = await askAll<{ id: string }>(raw, '$SRV.PING.micro');
      expect(pings).toHaveLength(1);
    });
  });

  it('hands a service handler a message whose raw header block we still read', async () => {
    const seen: Msg[] = [];
    const service = await raw.services.add({ name: 'wire', version: '0.0.1' });
    service.addEndpoint('probe', {
      subject: 'test.micro.wire',
      handler: (_error, msg: ServiceMsg) => {
        seen.push(coreMsgOf(msg));
        msg.respond(Empty);
      },
    });
    try {
      const sent = headers();
      sent.set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
      await raw.request('test.micro.wire', Empty, { headers: sent, timeout: 2_000 });
      await waitFor(() => seen.length === 1, { timeoutMs: 2_000, message: 'not received' });
      expect(rawHeaderBlock(seen[0])).toBeInstanceOf(Uint8Array);
    } finally {
      await service.stop();
    }
  });
});
