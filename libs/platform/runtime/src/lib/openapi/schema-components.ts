import { z } from 'zod';
import { type JsonSchema } from './openapi.types';

const COMPONENTS_REF = '#/components/schemas/';
const LOCAL_DEFS_REF = '#/$defs/';

/**
 * Converts zod schemas to OpenAPI 3.1 schema objects (JSON Schema 2020-12, `z.toJSONSchema`) and
 * keeps the `components.schemas` they share.
 *
 * `z.toJSONSchema` puts shared and recursive parts in `$defs` and refers to them as `#/$defs/…`
 * (or `#` for the root): inside an OpenAPI document those pointers would resolve against the
 * document, so the definitions are moved to `components.schemas` and the references rewritten.
 * Schemas given an id (`.meta({ id: 'MessageView' })`) keep it as their component name.
 */
export class SchemaComponents {
  readonly schemas: Record<string, JsonSchema> = {};

  /**
   * The schema of `schema` for requests (`io: 'input'`: defaults optional, coercions accepted) or
   * responses (`io: 'output'`). `context` names its anonymous shared parts, e.g. `MessagesPostBody`.
   */
  convert(schema: z.ZodType, io: 'input' | 'output', context: string): JsonSchema {
    const {
      $schema: _dialect,
      $defs,
      ...root
    } = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io,
      unrepresentable: 'any',
    }) as JsonSchema;
    const defs: Record<string, JsonSchema> = { ...(($defs ?? {}) as Record<string, JsonSchema>) };
    const recursiveRoot = hasRef(root, '#');
    if (recursiveRoot) defs['#'] = root;
    if (Object.keys(defs).length === 0) return root;

    const suffix = io === 'input' ? 'Input' : 'Output';
    const names = new Map(
      Object.keys(defs).map((key) => [key, key === '#' ? context : defName(key, context)]),
    );
    // Settle names first: a name already taken by a different schema gets another one.
    for (;;) {
      const conflicts = [...names].filter(([key, name]) => {
        const existing = this.schemas[name];
        return existing !== undefined && !sameJson(existing, rewriteRefs(defs[key], names));
      });
      if (conflicts.length === 0) break;
      for (const [key, name] of conflicts) {
        names.set(key, this.freeName(key, name, suffix, names, rewriteRefs(defs[key], names)));
      }
    }
    for (const [key, name] of names) this.schemas[name] = rewriteRefs(defs[key], names);
    return recursiveRoot ? { $ref: COMPONENTS_REF + names.get('#') } : rewriteRefs(root, names);
  }

  /** Adds `schema` under `name` (e.g. the shared `Error`) and returns a reference to it. */
  define(name: string, schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const converted = this.convert(schema, io, name);
    if (converted['$ref'] !== COMPONENTS_REF + name) this.schemas[name] = converted;
    return { $ref: COMPONENTS_REF + name };
  }

  /** The schema a `$ref` to a component points at; any other schema as it is. */
  resolve(schema: JsonSchema): JsonSchema {
    const ref = schema['$ref'];
    if (typeof ref !== 'string' || !ref.startsWith(COMPONENTS_REF)) return schema;
    return this.schemas[ref.slice(COMPONENTS_REF.length)] ?? schema;
  }

  /** `<name>Input` (or `Output`), else with a number: unused, or holding this very schema. */
  private freeName(
    key: string,
    name: string,
    suffix: string,
    names: Map<string, string>,
    schema: JsonSchema,
  ): string {
    const takenByOthers = new Set([...names].filter(([other]) => other !== key).map(([, n]) => n));
    const fits = (candidate: string) => {
      const existing = this.schemas[candidate];
      return (
        !takenByOthers.has(candidate) && (existing === undefined || sameJson(existing, schema))
      );
    };
    const base = name.endsWith(suffix) ? name : `${name}${suffix}`;
    if (fits(base)) return base;
    for (let n = 2; ; n += 1) {
      if (fits(`${base}${n}`)) return `${base}${n}`;
    }
  }
}

/** Component names allow `[A-Za-z0-9._-]`; zod's anonymous `__schema0` becomes `<context>_0`. */
function defName(key: string, context: string): string {
  const anonymous = /^__schema(\d+)$/.exec(key);
  if (anonymous) return `${context}_${anonymous[1]}`;
  return key.replace(/[^A-Za-z0-9._-]/g, '_');
}

function rewriteRefs<T>(value: T, names: Map<string, string>): T {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, names)) as T;
  if (value === null || typeof value !== 'object') return value;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    result[key] =
      key === '$ref' && typeof item === 'string'
        ? rewriteRef(item, names)
        : rewriteRefs(item, names);
  }
  return result as T;
}

function rewriteRef(ref: string, names: Map<string, string>): string {
  const key =
    ref === '#'
      ? '#'
      : ref.startsWith(LOCAL_DEFS_REF)
        ? unescapePointer(ref.slice(LOCAL_DEFS_REF.length))
        : undefined;
  const name = key === undefined ? undefined : names.get(key);
  return name === undefined ? ref : COMPONENTS_REF + name;
}

function unescapePointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function hasRef(value: unknown, ref: string): boolean {
  if (Array.isArray(value)) return value.some((item) => hasRef(item, ref));
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, item]) =>
    key === '$ref' ? item === ref : hasRef(item, ref),
  );
}

function sameJson(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const entries = Object.entries(value)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(',')}}`;
}
