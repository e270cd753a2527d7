import { z } from 'zod';

/** Events: `evt.<domain>.<entity>.<past-tense-verb>.v<N>`, e.g. `evt.chat.message.created.v1`. */
export const EVENT_SUBJECT =
  /^evt\.[a-z][a-z0-9]*\.[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*\.v[1-9][0-9]*$/;
/** RPC: `rpc.<domain>.<verb-noun>.v<N>`, e.g. `rpc.chat.post-message.v1`. */
export const RPC_SUBJECT = /^rpc\.[a-z][a-z0-9]*\.[a-z][a-z0-9-]*\.v[1-9][0-9]*$/;

/**
 * Pushes: `push.<domain>.<name>.v<N>.<user>`, e.g. `push.calls.signal.v1.alice`. Ephemeral
 * messages for one user's open sockets, over core NATS (at most once, never stored): a realtime
 * edge subscribes to `push.*.*.*.<user>` for each connected user and forwards what arrives.
 */
export const PUSH_SUBJECT_PREFIX = /^push\.[a-z][a-z0-9]*\.[a-z][a-z0-9-]*\.v[1-9][0-9]*$/;

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

/** An ephemeral message for one user, published on a per-user subject (see `PUSH_SUBJECT_PREFIX`). */
export interface PushContract<TPayload extends z.ZodObject = z.ZodObject> {
  readonly kind: 'push';
  /** Everything before the user token, e.g. `push.calls.signal.v1`. */
  readonly subjectPrefix: string;
  /** The domain that publishes it: the second token of the prefix. */
  readonly domain: string;
  readonly payload: TPayload;
  /** The subject for one user: the prefix plus the user id as one subject token. */
  subjectFor(userId: string): string;
}

export type PushPayload<C extends PushContract> = z.infer<C['payload']>;

/**
 * A user id as one NATS subject token. User ids may contain `.` (a token separator), so it is
 * written `%2E`; the other characters user ids allow are legal in a token as they are.
 */
export function userSubjectToken(userId: string): string {
  return userId.replaceAll('%', '%25').replaceAll('.', '%2E');
}

export function definePush<TPayload extends z.ZodObject>(definition: {
  subjectPrefix: string;
  payload: TPayload;
}): PushContract<TPayload> {
  if (!PUSH_SUBJECT_PREFIX.test(definition.subjectPrefix)) {
    throw new Error(
      `Push subject prefix "${definition.subjectPrefix}" must look like push.<domain>.<name>.v<N>`,
    );
  }
  const { subjectPrefix } = definition;
  return {
    kind: 'push',
    domain: subjectPrefix.split('.')[1],
    ...definition,
    subjectFor: (userId) => `${subjectPrefix}.${userSubjectToken(userId)}`,
  };
}

/**
 * `_INBOX.<service>`: the reply subjects of a service's requests (RPC and JetStream API) start with
 * it, so a deployment can let each service subscribe to its own replies only.
 */
export function inboxPrefixOf(serviceName: string): string {
  return `_INBOX.${serviceName}`;
}

/** Whether a NATS subject pattern (`*` one token, `>` the rest) covers a subject. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}
