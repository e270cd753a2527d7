import 'reflect-metadata';
import { type z } from 'zod';

export const RETURNS_METADATA = 'switchboard:openapi:returns';

/** One documented response of a route. */
export interface ReturnsEntry {
  status: number;
  /**
   * The body schema; omit for an empty body (e.g. 204). For an error status, omit it or pass
   * `ErrorEnvelope`: the response then refers to the shared `Error` schema.
   */
  schema?: z.ZodType;
  description: string;
}

/**
 * Documents what a route answers, for the OpenAPI document at `/docs`. Stack one per status. On a
 * controller class it applies to every route of the controller; a route's own entry for the same
 * status wins. Validation (400), authentication (401) and body-size/type errors (413/415) are added
 * by the generator; declare the domain errors the route can answer.
 *
 * @example
 * @Returns(201, Chat.MessageView, 'The new message')
 * @Returns(200, Chat.MessageView, 'The message stored earlier under this clientMessageId')
 * @Returns(403, ErrorEnvelope, 'The caller is not a member of the conversation (`CHAT.NOT_A_MEMBER`)')
 */
export function Returns(
  status: number,
  schema: z.ZodType | undefined,
  description: string,
): MethodDecorator & ClassDecorator {
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new Error(`@Returns(${status}, …): not an HTTP status code`);
  }
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    // On a method the entries live on the handler function (where Nest keeps route metadata too),
    // on a class on the class itself.
    const holder = (descriptor?.value as object | undefined) ?? target;
    const existing = (Reflect.getOwnMetadata(RETURNS_METADATA, holder) ?? []) as ReturnsEntry[];
    // Decorators run bottom-up: prepending keeps the entries in source order.
    Reflect.defineMetadata(
      RETURNS_METADATA,
      [{ status, schema, description }, ...existing],
      holder,
    );
  };
}

/** The entries declared on a handler, then those of its controller for statuses it leaves out. */
export function returnsOf(controller: object, handler: object): ReturnsEntry[] {
  const own = (Reflect.getMetadata(RETURNS_METADATA, handler) ?? []) as ReturnsEntry[];
  const inherited = (Reflect.getMetadata(RETURNS_METADATA, controller) ?? []) as ReturnsEntry[];
  const statuses = new Set(own.map((entry) => entry.status));
  return [...own, ...inherited.filter((entry) => !statuses.has(entry.status))];
}
