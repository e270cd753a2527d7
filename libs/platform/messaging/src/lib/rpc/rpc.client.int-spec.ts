import { type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { defineEvent, defineRpc } from '@switchboard/contracts';
import { freePort, startNatsServer, type TestNatsServer } from '@switchboard/platform-testing';
import { connect, type NatsConnection } from 'nats';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { MessagingModule } from '../messaging.module';
import { Outbox } from '../outbox/outbox';
import { RpcClient } from './rpc.client';

const Echo = defineRpc({
  subject: 'rpc.test.echo.v1',
  request: z.object({ n: z.number().int() }).strict(),
  result: z.object({ n: z.number().int() }).strict(),
});

interface Connz {
  connections: { name?: string; subscriptions_list?: string[] }[];
}

/** What the server sees of the platform's connection, read from nats-server's monitoring port. */
describe('the service connection as nats-server sees it', () => {
  let nats: TestNatsServer;
  let monitorPort: number;
  let app: INestApplicationContext;
  let responder: NatsConnection;

  beforeAll(async () => {
    monitorPort = await freePort();
    nats = await startNatsServer({ jetstream: false, args: ['-m', String(monitorPort)] });
    responder = await connect({ servers: nats.url, name: 'responder' });
    responder.subscribe(Echo.subject, {
      callback: (_error, msg) => {
        const { n } = JSON.parse(new TextDecoder().decode(msg.data)) as { n: number };
        msg.respond(new TextEncoder().encode(JSON.stringify({ ok: true, n })));
      },
    });
    await responder.flush();
    const moduleRef = await Test.createTestingModule({
      imports: [MessagingModule.forRoot({ serviceName: 'chat', natsUrl: nats.url })],
    }).compile();
    app = await moduleRef.init();
  });

  afterAll(async () => {
    await app?.close();
    await responder?.close();
    await nats?.stop();
  });

  it('is named after the service, and 50 concurrent calls share one reply subscription', async () => {
    const rpc = app.get(RpcClient);
    const results = await Promise.all(Array.from({ length: 50 }, (_, n) => rpc.call(Echo, { n })));
    expect(results.map((result) => result.n)).toEqual(Array.from({ length: 50 }, (_, n) => n));

    const response = await fetch(`http://127.0.0.1:${monitorPort}/connz?subs=1`);
    const connz = (await response.json()) as Connz;
    const service = connz.connections.find((connection) => connection.name === 'chat');
    expect(service).toBeDefined();
    const inboxes = (service?.subscriptions_list ?? []).filter((subject) =>
      subject.startsWith('_INBOX.chat.'),
    );
    expect(inboxes).toHaveLength(1);
  });

  it('refuses an RPC its service did not declare, and publishes only the events of the domains it hosts', async () => {
    const Undeclared = defineRpc({
      subject: 'rpc.test.other.v1',
      request: z.object({}).strict(),
      result: z.object({}).strict(),
    });
    const Foreign = defineEvent({ subject: 'evt.stories.story.posted.v1', payload: z.object({}) });
    const moduleRef = await Test.createTestingModule({
      imports: [
        MessagingModule.forRoot({
          serviceName: 'chat',
          natsUrl: nats.url,
          domains: ['chat', 'bots'],
          declaredCalls: [Echo],
        }),
      ],
      providers: [Outbox],
    }).compile();
    const declared = await moduleRef.init();
    try {
      const rpc = declared.get(RpcClient);
      expect(await rpc.call(Echo, { n: 7 })).toEqual({ n: 7 });
      await expect(rpc.call(Undeclared, {})).rejects.toMatchObject({
        code: 'INTERNAL',
        message: expect.stringContaining('rpc.test.other.v1 is not among the RPCs "chat" declares'),
      });
      // Refused before the transaction is touched.
      await expect(
        declared.get(Outbox).add(undefined as unknown as EntityManager, Foreign, {}),
      ).rejects.toThrow(
        'chat cannot publish evt.stories.story.posted.v1: a process publishes only the events of ' +
          'the domains it hosts (evt.chat.…, evt.bots.…)',
      );
    } finally {
      await declared.close();
    }
  });
});
