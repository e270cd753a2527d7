import { Controller, Get, Headers, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { defineEvent, defineRpc } from '@switchboard/contracts';
import { z } from 'zod';
import { respond } from './contract-responder';
import { ServiceHarness } from './service-app.harness';

jest.setTimeout(60_000);

const WidgetCreated = defineEvent({
  subject: 'evt.widgets.widget.created.v1',
  payload: z.object({ name: z.string() }),
});
const Ping = defineRpc({
  subject: 'rpc.widgets.ping.v1',
  request: z.object({ n: z.number() }).strict(),
  result: z.object({ pong: z.number() }).strict(),
});

@Controller('whoami')
class WhoAmIController {
  @Get()
  whoAmI(@Headers('authorization') authorization?: string): { authorization: string | null } {
    return { authorization: authorization ?? null };
  }
}

@Module({ controllers: [WhoAmIController] })
class WidgetsModule {}

/** Every environment the harness built an app from. */
const envs: Record<string, string>[] = [];

const harness = new ServiceHarness<NestFastifyApplication>({
  name: 'widgets',
  createApp: async (env) => {
    envs.push(env);
    const app = await NestFactory.create<NestFastifyApplication>(
      WidgetsModule,
      new FastifyAdapter(),
      { logger: false },
    );
    return { app };
  },
  users: ['alice'],
  collect: 'evt.widgets.>',
  env: { WIDGETS_COLOR: 'blue' },
});

beforeAll(async () => {
  await harness.start();
  // The stream the widgets service would declare: JetStream publishes need one.
  const jsm = await harness.nats.jetstreamManager();
  await jsm.streams.add({ name: 'WIDGETS', subjects: ['evt.widgets.>'] });
});

afterAll(() => harness.stop());

describe('ServiceHarness', () => {
  it('builds the app from the service environment plus its extra keys', () => {
    expect(envs[0]).toMatchObject({
      NATS_URL: harness.env.nats.url,
      DATABASE_URL: harness.env.databases['widgets']?.url,
      WIDGETS_COLOR: 'blue',
    });
  });

  it('calls the app over HTTP as a user, and refuses users it has no token for', async () => {
    const response = await harness.http().get('/whoami').set(harness.as('alice')).expect(200);
    expect(response.body.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(() => harness.as('mallory')).toThrow('No token for "mallory"');
  });

  it('publishes events to JetStream with their id, stored once per id, and collects them', async () => {
    await harness.publish(WidgetCreated, { name: 'first' }, 'event-1');
    await harness.publish(WidgetCreated, { name: 'first' }, 'event-1');
    await harness.publish(WidgetCreated, { name: 'second' });

    expect(await harness.waitForEvents(WidgetCreated, (event) => event.name === 'second')).toEqual([
      { name: 'second' },
    ]);
    // The collector sees every publication on the wire; the stream keeps one per event id.
    expect(harness.published(WidgetCreated, (event) => event.name === 'first')).toHaveLength(2);
    const jsm = await harness.nats.jetstreamManager();
    expect((await jsm.streams.info('WIDGETS')).state.messages).toBe(2);
    const stored = await jsm.streams.getMessage('WIDGETS', { seq: 1 });
    expect(stored.header.get('Switchboard-Event-Id')).toBe('event-1');
  });

  it('makes raw NATS requests', async () => {
    const responder = await respond(harness.nats, Ping, ({ n }) => ({ pong: n + 1 }));
    try {
      expect(await harness.rpc(Ping.subject, { n: 1 })).toEqual({ ok: true, pong: 2 });
    } finally {
      await responder.stop();
    }
  });

  it('launches further instances on the same environment', async () => {
    const second = await harness.launchApp({ WIDGETS_COLOR: 'red' });
    try {
      expect(envs[1]).toMatchObject({ NATS_URL: harness.env.nats.url, WIDGETS_COLOR: 'red' });
    } finally {
      await second.close();
    }
  });
});
