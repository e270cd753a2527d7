import { z } from 'zod';

/** A JSON Schema (draft-07, the base of AsyncAPI's schema format) as plain JSON. */
export type JsonSchema = { [key: string]: unknown };

/**
 * What a message's receiver accepts: the zod schema as JSON Schema draft-07 (`io: 'input'`, the
 * shape `parse` takes — both ends validate with the same schema, so this is the wire format). A
 * type JSON Schema cannot express (a custom check) becomes `{}`, accepting anything, rather than
 * stopping the document from being written.
 */
export function wireSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-7',
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

/** An RPC result as it is sent: the result's fields next to `"ok": true`. */
export function okReplySchema(result: z.ZodObject): JsonSchema {
  const schema = wireSchema(result);
  return {
    ...schema,
    properties: { ok: { const: true }, ...(schema['properties'] as JsonSchema) },
    required: ['ok', ...((schema['required'] as string[] | undefined) ?? [])],
  };
}
