import { Body, Controller, Module, Post } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { defineRpc, ErrorEnvelope } from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/platform-messaging';
import {
  createTestEnvironment,
  readyForRequests,
  type TestEnvironment,
} from '@switchboard/platform-testing';
import request from 'supertest';
import { z } from 'zod';
import { createServiceApp } from '../bootstrap/create-service-app';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { type OpenApiDocument } from './openapi.types';
import { Returns } from './returns.decorator';

const NoteBody = z.object({ text: z.string().min(1).max(200) }).strict();

@Controller('notes')
class NotesHttpController {
  @Post()
  @Returns(201, NoteBody, 'The note')
  create(@Body(new ZodValidationPipe(NoteBody)) body: z.output<typeof NoteBody>) {
    return body;
  }
}

const CountNotes = defineRpc({
  subject: 'rpc.notes.count-notes.v1',
  request: z.object({}),
  result: z.object({ count: z.number() }),
});

@Controller()
class NotesMessageController {
  @RpcHandler(CountNotes)
  count(): { count: number } {
    return { count: 0 };
  }
}

@Module({ controllers: [NotesHttpController, NotesMessageController] })
class NotesModule {}

describe('OpenAPI document of a service app (real Postgres + nats-server)', () => {
  let env: TestEnvironment;
  let app: NestFastifyApplication;
  let document: OpenApiDocument;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    env = await createTestEnvironment(['notes']);
    ({ app } = await createServiceApp(
      {
        name: 'notes',
        defaultPort: 0,
        domains: [{ name: 'notes', module: NotesModule, entities: [], migrations: [] }],
      },
      env.envFor('notes', { HTTP_BODY_LIMIT_BYTES: '1024' }),
    ));
    await readyForRequests(app);
    document = (await http().get('/docs/openapi.json').expect(200)).body as OpenApiDocument;
  });

  afterAll(async () => {
    await app?.close();
    await env?.stop();
  });

  it('is served by every service, without a token, describing its HTTP routes only', async () => {
    expect(document.info.title).toBe('notes');
    expect(Object.keys(document.paths).sort()).toEqual(['/health/live', '/health/ready', '/notes']);
    expect(document.paths['/health/live']?.get?.security).toBeUndefined();
    expect(document.paths['/notes']?.post?.security).toEqual([{ bearer: [] }]);
    expect((await http().get('/docs').expect(200)).body).toEqual(document);
  });

  it('lists for a body route only errors the route really answers, with the Error envelope', async () => {
    const responses = document.paths['/notes']?.post?.responses ?? {};
    expect(Object.keys(responses)).toEqual(['201', '400', '401', '413', '415', '500']);

    await http().post('/notes').send({ text: 'hi' }).expect(401);
    // The auth guard runs after Fastify has read the body: size and type errors come first.
    const tooLarge = await http()
      .post('/notes')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ text: 'x'.repeat(2048) }))
      .expect(413);
    const wrongType = await http()
      .post('/notes')
      .set('content-type', 'application/xml')
      .send('<note/>')
      .expect(415);
    // The envelope the `Error` component describes, with the codes the descriptions name.
    expect(ErrorEnvelope.parse(tooLarge.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(ErrorEnvelope.parse(wrongType.body)).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(responses['413']?.description).toContain('PAYLOAD_TOO_LARGE');
    expect(responses['415']?.description).toContain('UNSUPPORTED_MEDIA_TYPE');
  });
});
