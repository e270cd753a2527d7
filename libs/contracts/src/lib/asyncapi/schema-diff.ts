import { type JsonSchema } from './json-schema';

/**
 * One difference between two JSON Schemas of a message, and which way it moves the set of
 * messages the schema accepts: `narrows` — some message valid before is refused now (a reader
 * with the new schema refuses what an old writer sends); `widens` — some message valid now was
 * refused before (a reader with the old schema refuses what a new writer sends). A change can do
 * both (a type replaced by another).
 */
export interface SchemaChange {
  /** Dotted path of the field (`message.text`, `memberIds[]`); empty for the whole message. */
  path: string;
  change: string;
  narrows: boolean;
  widens: boolean;
}

/** Keywords that describe and do not constrain: changing them breaks nobody. */
const ANNOTATIONS = new Set(['title', 'description', 'default', 'examples', '$comment']);

/**
 * The constraining differences between `before` and `after`, for the subset of JSON Schema zod
 * writes: `type`, `properties` / `required` / `additionalProperties`, `items`, `enum`, `const`,
 * bounds, `pattern` / `format`, and unions (`anyOf` / `oneOf`, nullable). Anything else that
 * differs is reported as a change both ways: the gate errs on the side of a version bump.
 */
export function diffSchemas(before: JsonSchema, after: JsonSchema, path = ''): SchemaChange[] {
  const variantsBefore = variantsOf(before);
  const variantsAfter = variantsOf(after);
  if (variantsBefore.length > 1 || variantsAfter.length > 1) {
    return diffUnions(variantsBefore, variantsAfter, path);
  }
  const changes: SchemaChange[] = [];
  const at = (change: string, narrows: boolean, widens: boolean) =>
    changes.push({ path, change, narrows, widens });

  diffTypes(typesOf(before), typesOf(after), at);
  diffEnums(before, after, at);
  if (!sameJson(before['const'], after['const'])) {
    at(`constant ${show(before['const'])} → ${show(after['const'])}`, true, true);
  }
  for (const [keyword, lower] of BOUNDS) diffBound(keyword, lower, before, after, at);
  for (const keyword of ['pattern', 'format']) {
    if (before[keyword] === after[keyword]) continue;
    if (after[keyword] === undefined)
      at(`${keyword} ${show(before[keyword])} dropped`, false, true);
    else if (before[keyword] === undefined)
      at(`${keyword} ${show(after[keyword])} added`, true, false);
    else at(`${keyword} ${show(before[keyword])} → ${show(after[keyword])}`, true, true);
  }
  changes.push(...diffObjects(before, after, path));
  if (before['items'] !== undefined || after['items'] !== undefined) {
    changes.push(...diffSchemas(schemaAt(before, 'items'), schemaAt(after, 'items'), `${path}[]`));
  }
  for (const keyword of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (ANNOTATIONS.has(keyword) || HANDLED.has(keyword)) continue;
    if (!sameJson(before[keyword], after[keyword])) at(`${keyword} changed`, true, true);
  }
  return changes;
}

type At = (change: string, narrows: boolean, widens: boolean) => void;

/** `[keyword, isLowerBound]`: raising a lower bound or lowering an upper one narrows. */
const BOUNDS: readonly [string, boolean][] = [
  ['minLength', true],
  ['maxLength', false],
  ['minimum', true],
  ['maximum', false],
  ['exclusiveMinimum', true],
  ['exclusiveMaximum', false],
  ['minItems', true],
  ['maxItems', false],
  ['multipleOf', true],
];
const HANDLED = new Set([
  'type',
  'enum',
  'const',
  'pattern',
  'format',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'anyOf',
  'oneOf',
  ...BOUNDS.map(([keyword]) => keyword),
]);

function diffTypes(before: Set<string>, after: Set<string>, at: At): void {
  const lost = [...before].filter((type) => !covers(after, type));
  const gained = [...after].filter((type) => !covers(before, type));
  if (lost.length === 0 && gained.length === 0) return;
  const change = `type ${[...before].join('|') || 'any'} → ${[...after].join('|') || 'any'}`;
  at(change, lost.length > 0, gained.length > 0);
}

/** Whether a set of JSON types accepts every value of `type` (`number` covers `integer`). */
function covers(types: Set<string>, type: string): boolean {
  return types.size === 0 || types.has(type) || (type === 'integer' && types.has('number'));
}

function diffEnums(before: JsonSchema, after: JsonSchema, at: At): void {
  const was = before['enum'] as unknown[] | undefined;
  const is = after['enum'] as unknown[] | undefined;
  if (was === undefined && is === undefined) return;
  if (was === undefined) return at(`restricted to ${show(is)}`, true, false);
  if (is === undefined) return at(`no longer restricted to ${show(was)}`, false, true);
  for (const value of was) {
    if (!is.some((other) => sameJson(other, value)))
      at(`enum value ${show(value)} removed`, true, false);
  }
  for (const value of is) {
    if (!was.some((other) => sameJson(other, value)))
      at(`enum value ${show(value)} added`, false, true);
  }
}

function diffBound(
  keyword: string,
  lower: boolean,
  before: JsonSchema,
  after: JsonSchema,
  at: At,
): void {
  const was = before[keyword] as number | undefined;
  const is = after[keyword] as number | undefined;
  if (was === is) return;
  if (was === undefined) return at(`${keyword} ${is} added`, true, false);
  if (is === undefined) return at(`${keyword} ${was} dropped`, false, true);
  if (keyword === 'multipleOf') return at(`${keyword} ${was} → ${is}`, true, true);
  const tighter = lower ? is > was : is < was;
  at(`${keyword} ${was} → ${is}`, tighter, !tighter);
}

function diffObjects(before: JsonSchema, after: JsonSchema, path: string): SchemaChange[] {
  const propsBefore = (before['properties'] ?? {}) as Record<string, JsonSchema>;
  const propsAfter = (after['properties'] ?? {}) as Record<string, JsonSchema>;
  const requiredBefore = new Set((before['required'] ?? []) as string[]);
  const requiredAfter = new Set((after['required'] ?? []) as string[]);
  const closedBefore = before['additionalProperties'] === false;
  const closedAfter = after['additionalProperties'] === false;
  const changes: SchemaChange[] = [];
  const field = (name: string) => (path === '' ? name : `${path}.${name}`);
  for (const name of Object.keys(propsBefore)) {
    if (name in propsAfter) {
      changes.push(...diffSchemas(propsBefore[name], propsAfter[name], field(name)));
      if (!requiredBefore.has(name) && requiredAfter.has(name)) {
        changes.push({
          path: field(name),
          change: 'optional made required',
          narrows: true,
          widens: false,
        });
      } else if (requiredBefore.has(name) && !requiredAfter.has(name)) {
        changes.push({
          path: field(name),
          change: 'required made optional',
          narrows: false,
          widens: true,
        });
      }
    } else {
      // Gone: a reader that needs it misses it; a closed object now refuses it.
      changes.push({
        path: field(name),
        change: requiredBefore.has(name) ? 'required field removed' : 'optional field removed',
        narrows: closedAfter,
        widens: requiredBefore.has(name) || !closedAfter,
      });
    }
  }
  for (const name of Object.keys(propsAfter)) {
    if (name in propsBefore) continue;
    changes.push({
      path: field(name),
      change: requiredAfter.has(name) ? 'required field added' : 'optional field added',
      // Old messages lack it; a reader with the old, closed object refuses it.
      narrows: requiredAfter.has(name),
      widens: closedBefore,
    });
  }
  if (closedBefore !== closedAfter && (before['type'] === 'object' || after['type'] === 'object')) {
    changes.push({
      path,
      change: closedAfter ? 'unknown fields now refused' : 'unknown fields now accepted',
      narrows: closedAfter,
      widens: !closedAfter,
    });
  }
  return changes;
}

/**
 * Unions compared variant by variant: equal variants cancel out, the rest are paired by their
 * shape (type and constant fields, e.g. a discriminator) and compared; what has no partner was
 * removed (narrows) or added (widens).
 */
function diffUnions(before: JsonSchema[], after: JsonSchema[], path: string): SchemaChange[] {
  const left = before.filter((variant) => !after.some((other) => sameJson(other, variant)));
  const right = after.filter((variant) => !before.some((other) => sameJson(other, variant)));
  const changes: SchemaChange[] = [];
  for (const variant of left) {
    const index = right.findIndex((other) => shapeOf(other) === shapeOf(variant));
    if (index === -1) {
      changes.push({
        path,
        change: `variant ${shapeOf(variant)} removed`,
        narrows: true,
        widens: false,
      });
    } else {
      changes.push(...diffSchemas(variant, right[index], path));
      right.splice(index, 1);
    }
  }
  for (const variant of right) {
    changes.push({
      path,
      change: `variant ${shapeOf(variant)} added`,
      narrows: false,
      widens: true,
    });
  }
  return changes;
}

function variantsOf(schema: JsonSchema): JsonSchema[] {
  const union = (schema['anyOf'] ?? schema['oneOf']) as JsonSchema[] | undefined;
  return union ?? [schema];
}

/** A variant's type and the constants of its fields (`object{type=offer}`). */
function shapeOf(schema: JsonSchema): string {
  const types = [...typesOf(schema)].join('|') || 'any';
  const constants = Object.entries((schema['properties'] ?? {}) as Record<string, JsonSchema>)
    .filter(([, property]) => property['const'] !== undefined)
    .map(([name, property]) => `${name}=${String(property['const'])}`);
  return constants.length > 0 ? `${types}{${constants.join(',')}}` : types;
}

function typesOf(schema: JsonSchema): Set<string> {
  const type = schema['type'];
  if (type === undefined) return new Set();
  return new Set(Array.isArray(type) ? (type as string[]) : [type as string]);
}

function schemaAt(schema: JsonSchema, keyword: string): JsonSchema {
  return (schema[keyword] ?? {}) as JsonSchema;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function show(value: unknown): string {
  return JSON.stringify(value);
}
