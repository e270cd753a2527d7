import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { defineEvent, type EventPayload, Gateway } from '@switchboard/contracts';
import { Public } from '@switchboard/platform-auth';
import { EventContext, EventHandler, Outbox } from '@switchboard/platform-messaging';
import {
  createTestEnvironment,
  type TestEnvironment,
  waitFor,
} from '@switchboard/platform-testing';
import { Client } from 'pg';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { z } from 'zod';
import { ConfigError } from '../config/service-config';
import { createServiceApp, type ServiceApp } from './create-service-app';
import { type ServiceDefinition } from './service-definition';

const NoteWritten = defineEvent({
  subject: 'evt.chat.note.written.v1',
  payload: z.object({ id: z.string(), text: z.string() }),
});

class CreateNotes1764150001000 implements MigrationInterface {
  name = 'CreateNotes1764150001000';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE TABLE notes (id varchar(36) PRIMARY KEY, text text NOT NULL)');
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE notes');
  }
}

class CreateSeen1764150001001 implements MigrationInterface {
  name = 'CreateSeen1764150001001';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE TABLE seen (note_id varchar(36) PRIMARY KEY)');
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE seen');
  }
}

/** "chat": writes a note and announces it, in one transaction of its own database. */
@Public()
@Controller('notes')
class NotesController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  @Post()
  async write(@Body() body: { id: string; text: string }): Promise<{ id: string }> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query('INSERT INTO notes (id, text) VALUES ($1, $2)', [body.id, body.text]);
      await this.outbox.add(manager, NoteWritten, body);
    });
    return { id: body.id };
  }
}

/** "bots": records every note it hears of, in its own database. */
@Controller()
class NoteWrittenHandler {
  @EventHandler(NoteWritten)
  async seen(
    @Payload() note: EventPayload<typeof NoteWritten>,
    @Ctx() context: EventContext,
  ): Promise<void> {
    await context.manager.query('INSERT INTO seen (note_id) VALUES ($1)', [note.id]);
  }
}

/** "bots": what it has seen, over HTTP. */
@Public()
@Controller('seen')
class SeenController {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  async list(): Promise<{ items: string[] }> {
    const rows = (await this.dataSource.query('SELECT note_id FROM seen')) as { note_id: string }[];
    return { items: rows.map((row) => row.note_id) };
  }
}

@Module({ controllers: [NotesController] })
class NotesModule {}

@Module({ controllers: [NoteWrittenHandler, SeenController] })
class SeenModule {}

const monolith: ServiceDefinition = {
  name: 'monolith',
  defaultPort: 0,
  domains: [
    { name: 'chat', module: NotesModule, entities: [], migrations: [CreateNotes1764150001000] },
    { name: 'bots', module: SeenModule, entities: [], migrations: [CreateSeen1764150001001] },
  ],
};

/**
 * One process hosting two domains keeps a database per domain, as two processes would: each its
 * own tables, migrations, outbox and inbox, and each domain's code sees only its own.
 */
describe('a process hosting several domains (real Postgres + nats-server)', () => {
  let env: TestEnvironment;
  let service: ServiceApp;
  let url: string;

  const query = async (domain: 'chat' | 'bots', sql: string): Promise<unknown[]> => {
    const client = new Client({ connectionString: env.databases[domain]?.url });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };
  const tables = async (domain: 'chat' | 'bots'): Promise<string[]> =>
    (
      (await query(
        domain,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
      )) as { table_name: string }[]
    ).map((row) => row.table_name);

  beforeAll(async () => {
    env = await createTestEnvironment(['chat', 'bots']);
    service = await createServiceApp(monolith, env.envForDomains(['chat', 'bots']));
    await service.app.listen(0, '127.0.0.1');
    url = (await service.app.getUrl()).replace('[::1]', '127.0.0.1');
  }, 60_000);

  afterAll(async () => {
    await service?.app.close();
    await env?.stop();
  });

  it('gives each domain its own tables and migrations, and only its own', async () => {
    expect(await tables('chat')).toEqual(['inbox', 'migrations', 'notes', 'outbox']);
    expect(await tables('bots')).toEqual(['inbox', 'migrations', 'outbox', 'seen']);
    const migrations = async (domain: 'chat' | 'bots') =>
      (
        (await query(domain, 'SELECT name FROM migrations ORDER BY name')) as { name: string }[]
      ).map((row) => row.name);
    expect(await migrations('chat')).toContain('CreateNotes1764150001000');
    expect(await migrations('chat')).not.toContain('CreateSeen1764150001001');
    expect(await migrations('bots')).toContain('CreateSeen1764150001001');
  });

  it("carries an event from one domain's outbox to the other's handler and inbox, over JetStream", async () => {
    const written = await fetch(`${url}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'n-1', text: 'hello' }),
    });
    expect(written.status).toBe(201);
    await waitFor(async () => (await query('bots', 'SELECT note_id FROM seen')).length === 1, {
      message: 'bots never recorded the note',
    });
    expect(await query('chat', 'SELECT id, text FROM notes')).toEqual([
      { id: 'n-1', text: 'hello' },
    ]);
    // The inbox row is in the consuming domain's database, under the domain's consumer.
    expect(await query('bots', 'SELECT consumer FROM inbox')).toEqual([
      { consumer: 'bots_evt-chat-note-written-v1' },
    ]);
    expect(await query('chat', 'SELECT consumer FROM inbox')).toEqual([]);
  });

  it("answers a request the gateway sent for one domain with that domain's routes only", async () => {
    const asked = (domain: string) => ({ headers: { [Gateway.DOMAIN_HEADER]: domain } });
    // bots' /seen, asked for as chat's: the same answer as a route chat does not have.
    const foreign = await fetch(`${url}/seen`, asked('chat'));
    const missing = await fetch(`${url}/nowhere`, asked('chat'));
    expect([foreign.status, missing.status]).toEqual([404, 404]);
    expect(await foreign.json()).toEqual({
      code: 'NOT_FOUND',
      message: 'Cannot GET /seen',
      retriable: false,
    });
    expect(await missing.json()).toMatchObject({ code: 'NOT_FOUND', retriable: false });
    // The domain's own routes, the platform's, and any route called without the header still answer.
    expect((await fetch(`${url}/seen`, asked('bots'))).status).toBe(200);
    expect((await fetch(`${url}/health/live`, asked('chat'))).status).toBe(200);
    expect((await fetch(`${url}/seen`)).status).toBe(200);
  });

  it('documents each hosted domain on its own, for the gateway to merge', async () => {
    const pathsOf = async (domain?: string): Promise<string[]> => {
      const response = await fetch(`${url}/docs/openapi.json`, {
        headers: domain === undefined ? {} : { [Gateway.DOMAIN_HEADER]: domain },
      });
      expect(response.status).toBe(200);
      return Object.keys(((await response.json()) as { paths: object }).paths).sort();
    };
    expect(await pathsOf('chat')).toEqual(['/notes']);
    expect(await pathsOf('bots')).toEqual(['/seen']);
    // Asked for no domain, the whole process: the platform's routes too.
    expect(await pathsOf()).toEqual(['/health/live', '/health/ready', '/notes', '/seen']);
    const notHosted = await fetch(`${url}/docs/openapi.json`, {
      headers: { [Gateway.DOMAIN_HEADER]: 'calls' },
    });
    expect(notHosted.status).toBe(404);
    expect(await notHosted.json()).toMatchObject({
      code: 'NOT_FOUND',
      message: 'This process does not host calls',
    });
  });

  it('says which process answers and the domains it hosts', async () => {
    expect(await (await fetch(`${url}/health/live`)).json()).toEqual({
      status: 'ok',
      service: 'monolith',
      domains: ['chat', 'bots'],
    });
  });

  it("reports each domain's database in its readiness", async () => {
    const ready = (await (await fetch(`${url}/health/ready`)).json()) as {
      status: string;
      details: Record<string, { status: string }>;
    };
    expect(ready.status).toBe('ok');
    expect(ready.details).toMatchObject({
      'database:chat': { status: 'up' },
      'database:bots': { status: 'up' },
      nats: { status: 'up' },
      consumers: { status: 'up' },
    });
  });

  it('refuses to start domains that declare the same route: their routes never shadow each other', async () => {
    @Public()
    @Controller('notes')
    class OtherNotesController {
      @Get()
      list(): [] {
        return [];
      }
    }
    @Module({ controllers: [OtherNotesController] })
    class OtherNotesModule {}
    @Module({ controllers: [OtherNotesController] })
    class SameNotesModule {}
    const colliding: ServiceDefinition = {
      name: 'colliding',
      defaultPort: 0,
      domains: [
        { name: 'chat', module: OtherNotesModule, entities: [], migrations: [] },
        { name: 'bots', module: SameNotesModule, entities: [], migrations: [] },
      ],
    };
    // Routes are registered when the app starts listening (bootstrapService: listen → init).
    const { app } = await createServiceApp(colliding, env.envForDomains(['chat', 'bots']));
    try {
      await expect(app.init()).rejects.toThrow(/GET.*\/notes|\/notes.*GET|already declared/);
    } finally {
      await app.close();
    }
  });

  it('refuses one DATABASE_URL for several domains, and two domains on one database', async () => {
    const { DATABASE_URL_CHAT: chatUrl, ...rest } = env.envForDomains(['chat', 'bots']);
    await expect(
      createServiceApp(monolith, { ...rest, DATABASE_URL_BOTS: undefined, DATABASE_URL: chatUrl }),
    ).rejects.toThrow(
      'DATABASE_URL: a process hosting chat, bots has a database per domain: set DATABASE_URL_CHAT, DATABASE_URL_BOTS instead',
    );
    const shared = createServiceApp(monolith, {
      ...rest,
      DATABASE_URL_CHAT: chatUrl,
      DATABASE_URL_BOTS: chatUrl,
    });
    await expect(shared).rejects.toBeInstanceOf(ConfigError);
    await expect(shared).rejects.toThrow(
      'DATABASE_URL_BOTS: the same database as DATABASE_URL_CHAT: each domain keeps its own',
    );
  });
});
