import { Test } from '@nestjs/testing';
import { defineRpc } from '@switchboard/contracts';
import { startNatsServer, type TestNatsServer } from '@switchboard/platform-testing';
import { connect, type NatsConnection } from 'nats';
import { z } from 'zod';
import { MessagingModule } from '../messaging.module';
import { RpcClient } from '../rpc/rpc.client';

const Echo = defineRpc({
  subject: 'rpc.test.echo.v1',
  request: z.object({}).strict(),
  result: z.object({ replyTo: z.string() }).strict(),
});

/** A server that requires a user, as the deployment's NATS does (one user per service). */
describe('the service connection to a NATS server with users', () => {
  let nats: TestNatsServer;
  let responder: NatsConnection;

  beforeAll(async () => {
    nats = await startNatsServer({
      jetstream: false,
      args: ['--user', 'chat', '--pass', 's3cret'],
    });
    responder = await connect({ servers: nats.url, user: 'chat', pass: 's3cret' });
    responder.subscribe(Echo.subject, {
      callback: (_error, msg) =>
        msg.respond(new TextEncoder().encode(JSON.stringify({ ok: true, replyTo: msg.reply }))),
    });
    await responder.flush();
  });

  afterAll(async () => {
    await responder?.close();
    await nats?.stop();
  });

  it('logs in with the credentials and has its replies sent under _INBOX.<service>', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        MessagingModule.forRoot({
          serviceName: 'chat',
          natsUrl: nats.url,
          natsCredentials: { user: 'chat', password: 's3cret' },
        }),
      ],
    }).compile();
    const app = await moduleRef.init();
    try {
      const { replyTo } = await app.get(RpcClient).call(Echo, {});
      expect(replyTo).toMatch(/^_INBOX\.chat\./);
    } finally {
      await app.close();
    }
  });
});
