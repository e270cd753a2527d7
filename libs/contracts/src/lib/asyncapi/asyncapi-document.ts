import {
  type EventContract,
  type PushContract,
  type RpcContract,
  subjectMatches,
} from '../contract';
import { ErrorEnvelope } from '../errors';
import { allContracts, type AnyContract } from '../registry';
import { EVENT_HEADERS, RPC_ERROR_HEADERS, RPC_REQUEST_HEADERS } from './headers';
import { type JsonSchema, okReplySchema, wireSchema } from './json-schema';

/**
 * What one service does on NATS: the fields of its messaging manifest the document needs (the
 * manifest is derived from the service's code; see platform-runtime's `messagingManifestOf`).
 */
export interface ServiceRoles {
  /** RPC subjects it answers. */
  answers: readonly string[];
  /** RPC subjects it calls. */
  calls: readonly string[];
  /** Event subjects it publishes. */
  publishes: readonly string[];
  /** Events it consumes with a durable consumer. */
  consumes: readonly { subject: string }[];
  /** Push subject prefixes it publishes. */
  pushes: readonly string[];
  /** Push subject prefixes it subscribes to for any user. */
  receives: readonly string[];
  /** Streams it reads whole as a live feed (every event of the stream). */
  reads: readonly string[];
}

/** A service that does nothing on NATS: the base to spread roles over. */
export const NO_ROLES: ServiceRoles = {
  answers: [],
  calls: [],
  publishes: [],
  consumes: [],
  pushes: [],
  receives: [],
  reads: [],
};

/** A JetStream stream: which event subjects a `reads` entry covers. */
export interface StreamSubjects {
  name: string;
  subjects: readonly string[];
}

export interface AsyncApiOptions {
  /** `info.version`: the release the document describes. */
  version: string;
  /** Each service's roles, by service name. */
  services: Readonly<Record<string, ServiceRoles>>;
  /** The streams `reads` names; a read of a stream missing here is an error. */
  streams?: readonly StreamSubjects[];
  /** Where the document says NATS is (`host:port`). */
  natsHost?: string;
  /** The contracts to describe; default every contract of every domain (`allContracts()`). */
  contracts?: readonly AnyContract[];
  /** Only the subjects the services use (one service's document); default every contract's. */
  usedOnly?: boolean;
}

export type AsyncApiDocument = JsonSchema & {
  channels: Record<string, JsonSchema>;
  operations: Record<string, JsonSchema>;
  components: { messages: Record<string, JsonSchema> };
};

/** The shared error reply of every RPC. */
const RPC_ERROR = 'rpc.error';

/**
 * The AsyncAPI 3.1 document of the platform's messaging, generated from the contracts and the
 * services' roles, never written by hand: a channel per subject (an RPC's reply channel next to
 * it), a message per payload with its JSON Schema and NATS headers, and an operation per service
 * and role (`chat.answers.rpc.chat.post-message.v1`). Every contract is in it, used or not; the
 * `x-switchboard-*` fields name the owning domain and the kind, which the breaking-change gate
 * reads.
 */
export function asyncApiDocument(options: AsyncApiOptions): AsyncApiDocument {
  const contracts = options.contracts ?? allContracts();
  const channels: Record<string, JsonSchema> = {};
  const messages: Record<string, JsonSchema> = { [RPC_ERROR]: errorMessage() };
  for (const contract of contracts) {
    Object.assign(channels, channelsOf(contract));
    Object.assign(messages, messagesOf(contract));
  }
  const operations: Record<string, JsonSchema> = {};
  for (const [service, roles] of Object.entries(options.services).sort(byKey)) {
    for (const [role, subject] of rolesOf(roles, options.streams ?? [], contracts)) {
      const channel = channels[subject];
      if (channel === undefined) {
        throw new Error(`${service} ${role} ${subject}, which no contract defines`);
      }
      operations[`${service}.${role}.${subject}`] = operationOf(service, role, subject, channel);
    }
  }
  if (options.usedOnly) keepUsed(channels, messages, operations);
  return {
    asyncapi: '3.1.0',
    info: {
      title: 'Switchboard messaging',
      version: options.version,
      description:
        'Every NATS subject of the platform: RPCs (request/reply over core NATS, JSON bodies, replies `{"ok": true, …}` or an error envelope), events (JetStream, published through each service’s outbox, consumed at least once and de-duplicated by inbox) and pushes (core NATS, one user’s sockets). Generated from libs/contracts and the services’ messaging manifests.',
    },
    defaultContentType: 'application/json',
    servers: {
      nats: {
        host: options.natsHost ?? 'localhost:4222',
        protocol: 'nats',
        description: 'The platform’s NATS, with JetStream.',
      },
    },
    channels,
    operations,
    components: { messages },
  };
}

/** Drops the channels no operation uses, and the messages no remaining channel carries. */
function keepUsed(
  channels: Record<string, JsonSchema>,
  messages: Record<string, JsonSchema>,
  operations: Record<string, JsonSchema>,
): void {
  const used = new Set(
    Object.values(operations).flatMap((operation) =>
      [operation['channel'], (operation['reply'] as JsonSchema | undefined)?.['channel']].map(
        (ref) => (ref as { $ref?: string } | undefined)?.$ref?.slice('#/channels/'.length),
      ),
    ),
  );
  for (const name of Object.keys(channels)) if (!used.has(name)) delete channels[name];
  const carried = new Set(
    Object.values(channels).flatMap((channel) =>
      Object.values(channel['messages'] as Record<string, { $ref: string }>).map((ref) =>
        ref.$ref.slice('#/components/messages/'.length),
      ),
    ),
  );
  for (const name of Object.keys(messages)) if (!carried.has(name)) delete messages[name];
}

type Role = 'answers' | 'calls' | 'publishes' | 'consumes' | 'pushes' | 'receives' | 'reads';
const SENDS: readonly Role[] = ['calls', 'publishes', 'pushes'];

/** Each (role, subject) of a service, a stream it reads expanded to its event subjects. */
function rolesOf(
  roles: ServiceRoles,
  streams: readonly StreamSubjects[],
  contracts: readonly AnyContract[],
): [Role, string][] {
  const read = roles.reads.flatMap((name) => {
    const stream = streams.find((candidate) => candidate.name === name);
    if (stream === undefined) throw new Error(`stream ${name} is read but not defined`);
    return contracts
      .filter((contract) => contract.kind === 'event')
      .map((contract) => contract.subject)
      .filter((subject) => stream.subjects.some((pattern) => subjectMatches(pattern, subject)));
  });
  const subjects: Record<Role, readonly string[]> = {
    answers: roles.answers,
    calls: roles.calls,
    publishes: roles.publishes,
    consumes: roles.consumes.map(({ subject }) => subject),
    pushes: roles.pushes,
    receives: roles.receives,
    reads: read,
  };
  return (Object.keys(subjects) as Role[]).flatMap((role) =>
    subjects[role].map((subject): [Role, string] => [role, subject]),
  );
}

function channelsOf(contract: AnyContract): Record<string, JsonSchema> {
  const owner = { 'x-switchboard-domain': contract.domain, 'x-switchboard-kind': contract.kind };
  switch (contract.kind) {
    case 'rpc':
      return {
        [contract.subject]: {
          address: contract.subject,
          messages: { request: messageRef(`${contract.subject}.request`) },
          description: `Requests of ${contract.subject}, answered by ${contract.domain} (queue group "${contract.domain}").`,
          ...owner,
        },
        [`${contract.subject}.reply`]: {
          // The caller's reply inbox (`_INBOX.<service>.…`), chosen per request.
          address: null,
          messages: {
            result: messageRef(`${contract.subject}.result`),
            error: messageRef(RPC_ERROR),
          },
          description: `Replies to ${contract.subject}, on the caller's inbox.`,
          ...owner,
        },
      };
    case 'event':
      return {
        [contract.subject]: {
          address: contract.subject,
          messages: { event: messageRef(contract.subject) },
          description: `Published by ${contract.domain} through its outbox, on its JetStream stream.`,
          ...owner,
        },
      };
    case 'push':
      return {
        [contract.subjectPrefix]: {
          address: `${contract.subjectPrefix}.{userId}`,
          parameters: {
            userId: {
              description: 'The recipient: a user id as one subject token (`.` written `%2E`).',
            },
          },
          messages: { push: messageRef(contract.subjectPrefix) },
          description: `Pushed by ${contract.domain} to one user's open sockets (core NATS, at most once).`,
          ...owner,
        },
      };
  }
}

function messagesOf(contract: AnyContract): Record<string, JsonSchema> {
  switch (contract.kind) {
    case 'rpc':
      return rpcMessages(contract);
    case 'event':
      return { [contract.subject]: eventMessage(contract) };
    case 'push':
      return { [contract.subjectPrefix]: pushMessage(contract) };
  }
}

function errorMessage(): JsonSchema {
  const envelope = wireSchema(ErrorEnvelope);
  return {
    name: RPC_ERROR,
    title: 'RPC error reply',
    summary:
      'Any RPC may answer this instead of its result; the code is stable, `retriable` says whether the same request may succeed later.',
    headers: RPC_ERROR_HEADERS,
    payload: {
      ...envelope,
      properties: { ok: { const: false }, ...(envelope['properties'] as JsonSchema) },
      required: ['ok', ...((envelope['required'] as string[] | undefined) ?? [])],
    },
  };
}

function rpcMessages(contract: RpcContract): Record<string, JsonSchema> {
  return {
    [`${contract.subject}.request`]: {
      name: `${contract.subject}.request`,
      title: `${contract.subject} request`,
      headers: RPC_REQUEST_HEADERS,
      payload: wireSchema(contract.request),
    },
    [`${contract.subject}.result`]: {
      name: `${contract.subject}.result`,
      title: `${contract.subject} result`,
      payload: okReplySchema(contract.result),
    },
  };
}

function eventMessage(contract: EventContract): JsonSchema {
  return {
    name: contract.subject,
    title: contract.subject,
    headers: EVENT_HEADERS,
    payload: wireSchema(contract.payload),
  };
}

function pushMessage(contract: PushContract): JsonSchema {
  return {
    name: contract.subjectPrefix,
    title: contract.subjectPrefix,
    payload: wireSchema(contract.payload),
  };
}

function operationOf(
  service: string,
  role: Role,
  subject: string,
  channel: JsonSchema,
): JsonSchema {
  const messages = Object.keys(channel['messages'] as JsonSchema);
  const operation: JsonSchema = {
    action: SENDS.includes(role) ? 'send' : 'receive',
    channel: { $ref: `#/channels/${subject}` },
    messages: messages.map((name) => ({ $ref: `#/channels/${subject}/messages/${name}` })),
    summary: `${service} ${role} ${subject}`,
    tags: [{ name: service }],
  };
  if (channel['x-switchboard-kind'] === 'rpc') {
    operation['reply'] = {
      channel: { $ref: `#/channels/${subject}.reply` },
      messages: ['result', 'error'].map((name) => ({
        $ref: `#/channels/${subject}.reply/messages/${name}`,
      })),
    };
  }
  return operation;
}

function messageRef(name: string): JsonSchema {
  return { $ref: `#/components/messages/${name}` };
}

function byKey([a]: [string, unknown], [b]: [string, unknown]): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
