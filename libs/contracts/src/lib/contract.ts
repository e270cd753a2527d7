import { z } from 'zod';

/** Events: `evt.<domain>.<entity>.<past-tense-verb>.v<N>`, e.g. `evt.chat.message.created.v1`. */
export const EVENT_SUBJECT =
  /^evt\.[a-z][a-z0-9]*\.[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*\.v[1-9][0-9]*$/;
/** RPC: `rpc.<domain>.<verb-noun>.v<N>`, e.g. `rpc.chat.post-message.v1`. */
export const RPC_SUBJECT = /^rpc\.[a-z][a-z0-9]*\.[a-z][a-z0-9-]*\.v[1-9][0-9]*$/;

/** A request/reply message over core NATS: one subject, a request schema and a result schema. */
export interface RpcContract<
  TRequest extends z.ZodType = z.ZodType,
  TResult extends z.ZodObject = z.ZodObject,
> {
  readonly kind: 'rpc';
  /** The NATS subject the handler answers on. */
  readonly subject: string;
  /** The domain that owns (answers) the subject: the second token of the subject. */
  readonly domain: string;
  /** Validates the JSON request body at both ends. */
  readonly request: TRequest;
  /** Validates the result; on the wire it is sent as `{ "ok": true, ...result }`. */
  readonly result: TResult;
}

/** A fact one domain publishes and any other may consume. */
export interface EventContract<TPayload extends z.ZodObject = z.ZodObject> {
  readonly kind: 'event';
  /** The NATS subject the event is published on. */
  readonly subject: string;
  /** The domain that owns (publishes) the subject: the second token of the subject. */
  readonly domain: string;
  /** Validates the JSON payload at both ends. */
  readonly payload: TPayload;
}

export type RpcRequest<C extends RpcContract> = z.infer<C['request']>;
export type RpcResult<C extends RpcContract> = z.infer<C['result']>;
export type EventPayload<C extends EventContract> = z.infer<C['payload']>;

export function defineRpc<TRequest extends z.ZodType, TResult extends z.ZodObject>(definition: {
  subject: string;
  request: TRequest;
  result: TResult;
}): RpcContract<TRequest, TResult> {
  if (!RPC_SUBJECT.test(definition.subject)) {
    throw new Error(
      `RPC subject "${definition.subject}" must look like rpc.<domain>.<verb-noun>.v<N>`,
    );
  }
  return { kind: 'rpc', domain: definition.subject.split('.')[1], ...definition };
}

export function defineEvent<TPayload extends z.ZodObject>(definition: {
  subject: string;
  payload: TPayload;
}): EventContract<TPayload> {
  if (!EVENT_SUBJECT.test(definition.subject)) {
    throw new Error(
      `Event subject "${definition.subject}" must look like evt.<domain>.<entity>.<past-tense-verb>.v<N>`,
    );
  }
  return { kind: 'event', domain: definition.subject.split('.')[1], ...definition };
}
