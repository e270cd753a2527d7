import { ErrorEnvelope } from '@switchboard/contracts';
import { type z } from 'zod';
import { type HttpRoute, type RouteInput } from './http-routes.explorer';
import {
  type JsonSchema,
  type OpenApiDocument,
  type OpenApiOperation,
  type OpenApiParameter,
  type OpenApiPathItem,
  type OpenApiRequestBody,
  type OpenApiResponse,
} from './openapi.types';
import { SchemaComponents } from './schema-components';

/** `info` of the document. */
export interface OpenApiInfo {
  /** The service name, e.g. `chat`. */
  title: string;
  version: string;
  description?: string;
}

/** Name of the bearer-token security scheme applied to every route not marked `@Public()`. */
export const BEARER_SCHEME = 'bearer';

const JSON_MEDIA_TYPE = 'application/json';
const PART_ORDER: RouteInput['part'][] = ['path', 'query', 'header', 'body'];

/**
 * The OpenAPI 3.1 document of `routes`. Request parts are described by the zod schemas of their
 * `ZodValidationPipe`s (`io: 'input'`), responses by `@Returns` (`io: 'output'`); every error
 * response refers to the shared `Error` schema (`ErrorEnvelope`), and a route lists only the errors
 * it can answer: 400 when it validates input or reads a body, 401 unless `@Public()`, 413/415 when
 * it reads a body, 500 always, plus those it declares with `@Returns`.
 */
export function buildOpenApiDocument(routes: HttpRoute[], info: OpenApiInfo): OpenApiDocument {
  const components = new SchemaComponents();
  const errorSchema = components.define('Error', ErrorEnvelope, 'output');
  const paths: Record<string, OpenApiPathItem> = {};
  const operationIds = new Set<string>();

  for (const route of routes) {
    const operationId = uniqueName(operationIdOf(route), operationIds);
    const context = upperFirst(operationId);
    const parameters = parametersOf(route, components, context);
    const requestBody = requestBodyOf(route, components, context);
    const operation: OpenApiOperation = {
      operationId,
      tags: [tagOf(route)],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses: responsesOf(route, components, context, errorSchema),
      ...(route.isPublic ? {} : { security: [{ [BEARER_SCHEME]: [] }] }),
    };
    paths[route.path] = { ...paths[route.path], [route.method]: operation };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: info.title,
      version: info.version,
      ...(info.description === undefined ? {} : { description: info.description }),
    },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: {
      schemas: components.schemas,
      securitySchemes: {
        [BEARER_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'HS256 JWT; the caller is its `sub` claim.',
        },
      },
    },
  };
}

function parametersOf(
  route: HttpRoute,
  components: SchemaComponents,
  context: string,
): OpenApiParameter[] {
  const templated = new Set([...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]));
  const parameters: OpenApiParameter[] = [];
  const add = (parameter: OpenApiParameter): void => {
    if (parameter.in === 'path' && !templated.has(parameter.name)) return;
    if (parameters.some((p) => p.in === parameter.in && p.name === parameter.name)) return;
    parameters.push(parameter);
  };

  for (const input of route.inputs) {
    if (input.part === 'body') continue;
    const location = input.part;
    const partContext = `${context}${upperFirst(location)}`;
    if (input.property !== undefined) {
      // A single value: `@Param('id', pipe)`. Unvalidated ones are still strings on the wire.
      const schema = input.schema
        ? components.convert(input.schema, 'input', partContext + upperFirst(input.property))
        : { type: 'string' };
      add(
        parameter(
          input.property,
          location,
          location === 'path' || (input.schema !== undefined && !acceptsUndefined(input.schema)),
          schema,
        ),
      );
      continue;
    }
    if (!input.schema) continue;
    const schema = components.convert(input.schema, 'input', partContext);
    const resolved = components.resolve(schema);
    const properties = resolved['properties'] as Record<string, JsonSchema> | undefined;
    if (properties) {
      const required = new Set((resolved['required'] as string[] | undefined) ?? []);
      for (const [name, property] of Object.entries(properties)) {
        add(parameter(name, location, location === 'path' || required.has(name), property));
      }
    } else if (location === 'query') {
      // Not an object of named fields (e.g. a record): any query keys, described as one object.
      add({ name: 'query', in: 'query', required: false, style: 'form', explode: true, schema });
    }
  }
  // OpenAPI requires every templated segment to be declared, validated or not.
  for (const name of templated) add(parameter(name, 'path', true, { type: 'string' }));
  // Path first, then query and headers, as a reader (and most generators) expect them.
  return parameters.sort((a, b) => PART_ORDER.indexOf(a.in) - PART_ORDER.indexOf(b.in));
}

function parameter(
  name: string,
  location: OpenApiParameter['in'],
  required: boolean,
  schema: JsonSchema,
): OpenApiParameter {
  const description = schema['description'];
  return {
    name,
    in: location,
    required,
    ...(typeof description === 'string' ? { description } : {}),
    schema,
  };
}

function requestBodyOf(
  route: HttpRoute,
  components: SchemaComponents,
  context: string,
): OpenApiRequestBody | undefined {
  const bodies = route.inputs.filter((input) => input.part === 'body');
  if (bodies.length === 0) return undefined;
  const whole = bodies.find((input) => input.property === undefined && input.schema);
  if (whole?.schema) {
    return jsonBody(
      !acceptsUndefined(whole.schema),
      components.convert(whole.schema, 'input', `${context}Body`),
    );
  }
  const fields = bodies.filter(
    (input): input is RouteInput & { property: string } => input.property !== undefined,
  );
  if (fields.length === 0) return jsonBody(false, {});
  // `@Body('text', pipe)`: the body is an object with (at least) these fields.
  const required = fields
    .filter((field) => field.schema !== undefined && !acceptsUndefined(field.schema))
    .map((field) => field.property);
  return jsonBody(required.length > 0, {
    type: 'object',
    properties: Object.fromEntries(
      fields.map((field) => [
        field.property,
        field.schema
          ? components.convert(field.schema, 'input', `${context}Body${upperFirst(field.property)}`)
          : {},
      ]),
    ),
    ...(required.length > 0 ? { required } : {}),
  });
}

function jsonBody(required: boolean, schema: JsonSchema): OpenApiRequestBody {
  return { required, content: { [JSON_MEDIA_TYPE]: { schema } } };
}

function responsesOf(
  route: HttpRoute,
  components: SchemaComponents,
  context: string,
  errorSchema: JsonSchema,
): Record<string, OpenApiResponse> {
  const error = (description: string): OpenApiResponse => ({
    description,
    content: { [JSON_MEDIA_TYPE]: { schema: errorSchema } },
  });
  const responses: Record<string, OpenApiResponse> = {};
  const readsBody = route.inputs.some((input) => input.part === 'body');
  const validated = PART_ORDER.filter((part) =>
    route.inputs.some((input) => input.part === part && input.schema !== undefined),
  );

  if (route.returns.every((entry) => entry.status >= 300)) {
    responses[String(route.successStatus)] = {
      description: 'Success (the response body is not documented yet).',
    };
  }
  if (validated.length > 0 || readsBody) {
    const reasons = [
      ...(validated.length > 0
        ? [
            `the ${validated.join(', ')} failed validation (\`VALIDATION_FAILED\`, one \`details\` entry per bad field)`,
          ]
        : []),
      ...(readsBody ? ['the body is not valid JSON (`INVALID_JSON`)'] : []),
    ];
    responses['400'] = error(`Invalid request: ${reasons.join(', or ')}.`);
  }
  if (!route.isPublic) {
    responses['401'] = error(
      'Missing, malformed or expired bearer token (`AUTH.UNAUTHENTICATED`).',
    );
  }
  if (readsBody) {
    responses['413'] = error('Body larger than the service accepts (`PAYLOAD_TOO_LARGE`).');
    responses['415'] = error(
      'Body of a media type the service does not read (`UNSUPPORTED_MEDIA_TYPE`); send `application/json`.',
    );
  }
  responses['500'] = error(
    'Unexpected failure (`INTERNAL`); `details.errorId` finds it in the service log.',
  );

  // Declared responses win over the standard ones; several for one status are alternatives.
  for (const status of new Set(route.returns.map((entry) => entry.status))) {
    const entries = route.returns.filter((entry) => entry.status === status);
    const description = entries.map((entry) => entry.description).join(' Or: ');
    const schemas = uniqueBy(
      entries.flatMap((entry): JsonSchema[] => {
        if (status >= 400 && (entry.schema === undefined || entry.schema === ErrorEnvelope)) {
          return [errorSchema];
        }
        return entry.schema
          ? [components.convert(entry.schema, 'output', `${context}Response${status}`)]
          : [];
      }),
      (schema) => JSON.stringify(schema),
    );
    responses[String(status)] =
      schemas.length === 0
        ? { description }
        : {
            description,
            content: {
              [JSON_MEDIA_TYPE]: { schema: schemas.length === 1 ? schemas[0] : { anyOf: schemas } },
            },
          };
  }
  return Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
}

/** `MessagesHttpController.post` → `messagesPost`. */
function operationIdOf(route: HttpRoute): string {
  const resource = route.controllerName.replace(/(Http)?Controller$/, '');
  return resource.length === 0
    ? route.handlerName
    : `${lowerFirst(resource)}${upperFirst(route.handlerName)}`;
}

/** The controller's first literal path segment: `conversations/:id/messages` → `conversations`. */
function tagOf(route: HttpRoute): string {
  const literal = (path: string) =>
    path.split('/').find((segment) => segment.length > 0 && !/^[:*{]/.test(segment));
  return (
    literal(route.controllerPath) ??
    literal(route.path) ??
    lowerFirst(route.controllerName.replace(/(Http)?Controller$/, '') || 'default')
  );
}

/** Whether the request part may be absent (an optional or defaulted schema). */
function acceptsUndefined(schema: z.ZodType): boolean {
  return schema.safeParse(undefined).success;
}

function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let n = 2; taken.has(candidate); n += 1) candidate = `${name}${n}`;
  taken.add(candidate);
  return candidate;
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
