import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { defineEvent, defineRpc, ErrorEnvelope, EntityId } from '@switchboard/contracts';
import {
  AuthModule,
  type AuthenticatedUser,
  CurrentUser,
  Public,
} from '@switchboard/platform-auth';
import { EventHandler, RpcHandler } from '@switchboard/platform-messaging';
import { readyForRequests } from '@switchboard/platform-testing';
// A dev dependency: compiles the generated schemas as an API gateway or client validator would.
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { z } from 'zod';
import { HttpErrorFilter } from '../http/http-error.filter';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { ExcludeFromDocs } from './exclude-from-docs.decorator';
import { OpenApiDocs } from './openapi-docs.service';
import { OpenApiModule } from './openapi.module';
import { type JsonSchema, type OpenApiDocument, type OpenApiOperation } from './openapi.types';
import { Returns } from './returns.decorator';

const SECRET = 'openapi-test-secret-openapi-test-secret-0123';

const WidgetIdParams = z.object({ id: EntityId }).strict();
const CreateWidgetBody = z
  .object({
    name: z.string().trim().min(1).max(50),
    tags: z.array(z.string()).max(10).default([]),
    color: z.enum(['red', 'blue']).optional(),
  })
  .strict();
const ListWidgetsQuery = z
  .object({
    kind: z.enum(['small', 'large']).describe('Which widgets'),
    before: EntityId.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();
const WidgetView = z.object({
  id: EntityId,
  name: z.string(),
  tags: z.array(z.string()),
  createdAt: z.iso.datetime(),
});

@Controller('widgets')
class WidgetsHttpController {
  @Post()
  @Returns(201, WidgetView, 'The new widget')
  @Returns(409, ErrorEnvelope, 'A widget with this name exists (`WIDGETS.NAME_TAKEN`)')
  create(
    @CurrentUser() user: AuthenticatedUser,
    @Body(new ZodValidationPipe(CreateWidgetBody)) body: z.output<typeof CreateWidgetBody>,
  ): { owner: string; name: string } {
    return { owner: user.id, name: body.name };
  }

  @Get()
  @Returns(200, z.object({ items: z.array(WidgetView) }), 'Widgets, newest first')
  list(@Query(new ZodValidationPipe(ListWidgetsQuery)) query: z.output<typeof ListWidgetsQuery>) {
    return { items: [], limit: query.limit };
  }

  @Get(':id')
  @Returns(200, WidgetView, 'The widget')
  @Returns(404, undefined, 'No such widget')
  get(@Param(new ZodValidationPipe(WidgetIdParams)) params: { id: string }): { id: string } {
    return params;
  }

  @Delete(':id')
  @HttpCode(204)
  @Returns(204, undefined, 'Deleted')
  remove(@Param('id', new ZodValidationPipe(EntityId)) id: string): string {
    return id;
  }

  @ExcludeFromDocs()
  @Get('internal/stats')
  stats(): { widgets: number } {
    return { widgets: 0 };
  }
}

@Public()
@Controller('status')
class StatusController {
  @Get()
  @Returns(200, z.object({ ok: z.boolean() }), 'The service is up')
  status(): { ok: boolean } {
    return { ok: true };
  }
}

/** Undocumented success and an unvalidated path parameter: still a valid document. */
@Controller('legacy/:slug')
@Returns(403, undefined, 'Legacy routes are read-only for most callers')
class LegacyController {
  @Get()
  read(@Param('slug') slug: string): { slug: string } {
    return { slug };
  }
}

const PingRpc = defineRpc({
  subject: 'rpc.widgets.ping.v1',
  request: z.object({}),
  result: z.object({ pong: z.boolean() }),
});
const WidgetCreated = defineEvent({
  subject: 'evt.widgets.widget.created.v1',
  payload: z.object({ id: EntityId }),
});

/** Message handlers are controllers too, but not HTTP routes. */
@Controller()
class WidgetsMessageController {
  @RpcHandler(PingRpc)
  ping(): { pong: boolean } {
    return { pong: true };
  }

  @EventHandler(WidgetCreated)
  onCreated(): Promise<void> {
    return Promise.resolve();
  }

  @MessagePattern('widgets.raw')
  raw(): string {
    return 'raw';
  }
}

const bodyOf = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rest as JsonSchema;
};

describe('OpenAPI document', () => {
  let app: NestFastifyApplication;
  let document: OpenApiDocument;
  const operation = (path: string, method: string): OpenApiOperation => {
    const item = document.paths[path] as Record<string, OpenApiOperation> | undefined;
    const found = item?.[method];
    if (!found) throw new Error(`no ${method.toUpperCase()} ${path} in the document`);
    return found;
  };
  const errorResponse = {
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        AuthModule.forRoot({ jwtSecret: SECRET }),
        OpenApiModule.forRoot({ title: 'widgets', version: '1.2.3' }),
      ],
      controllers: [
        WidgetsHttpController,
        StatusController,
        LegacyController,
        WidgetsMessageController,
      ],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    app.useGlobalFilters(new HttpErrorFilter());
    await readyForRequests(app);
    document = app.get(OpenApiDocs).document;
  });

  afterAll(async () => {
    await app?.close();
  });

  it('lists the HTTP routes with OpenAPI path templates, and nothing else', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toEqual({ title: 'widgets', version: '1.2.3' });
    const routes = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(
      [
        'DELETE /widgets/{id}',
        'GET /legacy/{slug}',
        'GET /status',
        'GET /widgets',
        'GET /widgets/{id}',
        'POST /widgets',
      ].sort(),
    );
    expect(operation('/widgets', 'post')).toMatchObject({
      operationId: 'widgetsCreate',
      tags: ['widgets'],
    });
    expect(operation('/legacy/{slug}', 'get').tags).toEqual(['legacy']);
  });

  it('describes path parameters from the zod schema of the Param pipe', () => {
    const uuid = bodyOf(EntityId, 'input');
    expect(uuid).toMatchObject({ type: 'string', format: 'uuid' });
    expect(operation('/widgets/{id}', 'get').parameters).toEqual([
      { name: 'id', in: 'path', required: true, description: 'UUID', schema: uuid },
    ]);
    expect(operation('/widgets/{id}', 'delete').parameters).toEqual([
      { name: 'id', in: 'path', required: true, description: 'UUID', schema: uuid },
    ]);
    // Not validated, yet declared: OpenAPI requires every templated segment to be.
    expect(operation('/legacy/{slug}', 'get').parameters).toEqual([
      { name: 'slug', in: 'path', required: true, schema: { type: 'string' } },
    ]);
  });

  it('describes query parameters one by one, with required flags and defaults', () => {
    const query = bodyOf(ListWidgetsQuery, 'input') as { properties: Record<string, JsonSchema> };
    expect(operation('/widgets', 'get').parameters).toEqual([
      {
        name: 'kind',
        in: 'query',
        required: true,
        description: 'Which widgets',
        schema: query.properties['kind'],
      },
      {
        name: 'before',
        in: 'query',
        required: false,
        description: 'UUID',
        schema: query.properties['before'],
      },
      { name: 'limit', in: 'query', required: false, schema: query.properties['limit'] },
    ]);
    expect(query.properties['limit']).toMatchObject({ type: 'integer', default: 20, maximum: 100 });
  });

  it('describes the body with the input schema of the Body pipe', () => {
    expect(operation('/widgets', 'post').requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: bodyOf(CreateWidgetBody, 'input') } },
    });
    // Input, not output: a defaulted field is optional for the client.
    expect(bodyOf(CreateWidgetBody, 'input')['required']).toEqual(['name']);
  });

  it('describes responses from @Returns (output schemas) and the errors each route can answer', () => {
    const create = operation('/widgets', 'post');
    expect(Object.keys(create.responses)).toEqual([
      '201',
      '400',
      '401',
      '409',
      '413',
      '415',
      '500',
    ]);
    expect(create.responses['201']).toEqual({
      description: 'The new widget',
      content: { 'application/json': { schema: bodyOf(WidgetView, 'output') } },
    });
    for (const status of ['400', '401', '409', '413', '415', '500']) {
      expect(create.responses[status]).toMatchObject(errorResponse);
    }
    expect(create.responses['409']?.description).toContain('WIDGETS.NAME_TAKEN');

    // No body: no 413/415; an error declared without a schema still carries the envelope.
    expect(Object.keys(operation('/widgets/{id}', 'get').responses)).toEqual([
      '200',
      '400',
      '401',
      '404',
      '500',
    ]);
    expect(operation('/widgets/{id}', 'get').responses['404']).toMatchObject({
      description: 'No such widget',
      ...errorResponse,
    });
    expect(operation('/widgets/{id}', 'delete').responses['204']).toEqual({
      description: 'Deleted',
    });

    // Public and nothing to validate: neither 401 nor 400.
    expect(Object.keys(operation('/status', 'get').responses)).toEqual(['200', '500']);
    // Undocumented success gets Nest's status; a controller-level @Returns applies to its routes.
    expect(Object.keys(operation('/legacy/{slug}', 'get').responses)).toEqual([
      '200',
      '401',
      '403',
      '500',
    ]);

    expect(document.components.schemas['Error']).toEqual(bodyOf(ErrorEnvelope, 'output'));
  });

  it('requires the bearer token exactly on the routes that are not @Public()', () => {
    expect(document.components.securitySchemes['bearer']).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(operation('/widgets', 'post').security).toEqual([{ bearer: [] }]);
    expect(operation('/legacy/{slug}', 'get').security).toEqual([{ bearer: [] }]);
    expect(operation('/status', 'get').security).toBeUndefined();
  });

  it('is a valid OpenAPI 3.1 document whose schemas compile and agree with zod', () => {
    expect(openApiProblems(document)).toEqual([]);

    const ajv = schemaCompiler(document);
    const validBody = ajv.compile(
      forAjv(operation('/widgets', 'post').requestBody?.content['application/json']?.schema ?? {}),
    );
    for (const body of [
      { name: 'w' },
      { name: 'w', tags: ['a'], color: 'red' },
      { name: '' },
      { name: 'w', extra: 1 },
      {},
    ]) {
      expect({ body, valid: validBody(body) }).toEqual({
        body,
        valid: CreateWidgetBody.safeParse(body).success,
      });
    }
  });

  it('serves the document without a token, at /docs/openapi.json and /docs', async () => {
    await request(app.getHttpServer()).get('/widgets').expect(401);
    const served = await request(app.getHttpServer())
      .get('/docs/openapi.json')
      .expect(200)
      .expect('content-type', /application\/json/);
    expect(served.body).toEqual(JSON.parse(JSON.stringify(document)));
    const index = await request(app.getHttpServer()).get('/docs').expect(200);
    expect(index.body).toEqual(served.body);
    expect(Object.keys(document.paths).some((path) => path.startsWith('/docs'))).toBe(false);
  });
});

/**
 * What a validator of OpenAPI 3.1 would reject in the parts of the format the generator writes:
 * the shape of every object (no unknown keys), unique operation ids, every templated path segment
 * declared once as a required path parameter, and every `$ref` resolvable.
 */
function openApiProblems(document: OpenApiDocument): string[] {
  const schema: z.ZodType = z.record(z.string(), z.unknown());
  const media = z.record(z.string().regex(/^[\w.+-]+\/[\w.+-]+$/), z.strictObject({ schema }));
  const parameter = z.strictObject({
    name: z.string().min(1),
    in: z.enum(['path', 'query', 'header', 'cookie']),
    required: z.boolean(),
    description: z.string().optional(),
    schema,
    style: z.enum(['form', 'simple']).optional(),
    explode: z.boolean().optional(),
  });
  const operationShape = z.strictObject({
    operationId: z.string().min(1),
    tags: z.array(z.string().min(1)),
    parameters: z.array(parameter).optional(),
    requestBody: z.strictObject({ required: z.boolean(), content: media }).optional(),
    responses: z
      .record(
        z.string().regex(/^([1-5](\d\d|XX)|default)$/),
        z.strictObject({ description: z.string().min(1), content: media.optional() }),
      )
      .refine((responses) => Object.keys(responses).length > 0, 'at least one response'),
    security: z.array(z.record(z.string(), z.array(z.string()))).optional(),
  });
  const documentShape = z.strictObject({
    openapi: z.string().regex(/^3\.1\.\d+$/),
    info: z.strictObject({
      title: z.string().min(1),
      version: z.string().min(1),
      description: z.string().optional(),
    }),
    paths: z.record(
      z.string().regex(/^\//),
      z.strictObject({
        get: operationShape.optional(),
        put: operationShape.optional(),
        post: operationShape.optional(),
        delete: operationShape.optional(),
        options: operationShape.optional(),
        head: operationShape.optional(),
        patch: operationShape.optional(),
      }),
    ),
    components: z.strictObject({
      schemas: z.record(z.string().regex(/^[a-zA-Z0-9._-]+$/), schema),
      securitySchemes: z.record(
        z.string().regex(/^[a-zA-Z0-9._-]+$/),
        z.strictObject({
          type: z.literal('http'),
          scheme: z.string(),
          bearerFormat: z.string().optional(),
          description: z.string().optional(),
        }),
      ),
    }),
  });

  const parsed = documentShape.safeParse(document);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  const ids = new Set<string>();
  for (const [path, item] of Object.entries(document.paths)) {
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
    for (const [method, op] of Object.entries(item as Record<string, OpenApiOperation>)) {
      if (ids.has(op.operationId)) problems.push(`duplicate operationId ${op.operationId}`);
      ids.add(op.operationId);
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
      for (const name of templated) {
        const matches = declared.filter((p) => p.name === name);
        if (matches.length !== 1 || !matches[0]?.required) {
          problems.push(`${method} ${path}: path parameter ${name} not declared once as required`);
        }
      }
      for (const p of declared) {
        if (!templated.includes(p.name))
          problems.push(`${method} ${path}: stray path parameter ${p.name}`);
      }
      for (const name of Object.keys(op.security?.[0] ?? {})) {
        if (!document.components.securitySchemes[name])
          problems.push(`unknown security scheme ${name}`);
      }
    }
  }
  for (const ref of refsIn(document)) {
    const target = ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>(
        (node, key) => (node as Record<string, unknown> | undefined)?.[key],
        document,
      );
    if (target === undefined) problems.push(`unresolved $ref ${ref}`);
  }
  return problems;
}

function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) =>
    key === '$ref' && typeof item === 'string' ? [item] : refsIn(item),
  );
}

/** The document's references, pointed at a schema the compiler knows the components under. */
const COMPONENTS_ID = 'urn:openapi:components';
function forAjv(schema: JsonSchema): JsonSchema {
  return JSON.parse(
    JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${COMPONENTS_ID}#/$defs/`),
  ) as JsonSchema;
}

/** Ajv in strict mode (unknown keywords and formats are errors), every schema of the document compiled. */
function schemaCompiler(document: OpenApiDocument): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(forAjv({ $id: COMPONENTS_ID, $defs: document.components.schemas }));
  const schemas = [
    ...Object.values(document.components.schemas),
    ...Object.values(document.paths).flatMap((item) =>
      Object.values(item as Record<string, OpenApiOperation>).flatMap((op) => [
        ...(op.parameters ?? []).map((p) => p.schema),
        ...Object.values(op.requestBody?.content ?? {}).map((m) => m.schema),
        ...Object.values(op.responses).flatMap((r) =>
          Object.values(r.content ?? {}).map((m) => m.schema),
        ),
      ]),
    ),
  ];
  for (const schema of schemas) ajv.compile(forAjv(schema));
  return ajv;
}
