import { z } from 'zod';
import { defineEvent, definePush, defineRpc } from '../contract';
import { type AnyContract } from '../registry';
import { asyncApiDocument, NO_ROLES, type ServiceRoles } from './asyncapi-document';
import { type BreakingChange, breakingChanges } from './compatibility';

const SUBJECT = 'rpc.demo.find.v1';
const EVENT = 'evt.demo.item.saved.v1';
const PUSH = 'push.demo.nudge.v1';

const roles = (partial: Partial<ServiceRoles>): ServiceRoles => ({ ...NO_ROLES, ...partial });

/** demo owns the subjects; web calls, consumes and receives them. */
function documentOf(contracts: AnyContract[]) {
  const subjects = (kind: AnyContract['kind']) =>
    contracts.flatMap((c) =>
      c.kind !== kind ? [] : [c.kind === 'push' ? c.subjectPrefix : c.subject],
    );
  return asyncApiDocument({
    version: '1',
    contracts,
    services: {
      demo: roles({
        answers: subjects('rpc'),
        publishes: subjects('event'),
        pushes: subjects('push'),
      }),
      web: roles({
        calls: subjects('rpc'),
        consumes: subjects('event').map((subject) => ({ subject })),
        receives: subjects('push'),
      }),
    },
  });
}

const rpc = (
  request: z.ZodObject,
  result: z.ZodObject = z.object({}).strict(),
  subject = SUBJECT,
) => defineRpc({ subject, request, result });
const event = (payload: z.ZodObject) => defineEvent({ subject: EVENT, payload });

function gate(before: AnyContract[], after: AnyContract[]): Partial<BreakingChange>[] {
  return breakingChanges(documentOf(before), documentOf(after)).map(
    ({ subject, message, path, change }) => ({ subject, message, path, change }),
  );
}

const Kind = z.enum(['a', 'b']);

describe('breaking changes to an RPC request: what its callers send must still be accepted', () => {
  it('a field removed from a closed request breaks them', () => {
    const before = rpc(z.object({ id: z.string(), hint: z.string().optional() }).strict());
    const after = rpc(z.object({ id: z.string() }).strict());
    expect(gate([before], [after])).toEqual([
      { subject: SUBJECT, message: 'request', path: 'hint', change: 'optional field removed' },
    ]);
  });

  it('an optional field made required breaks them', () => {
    const before = rpc(z.object({ id: z.string(), limit: z.number().optional() }).strict());
    const after = rpc(z.object({ id: z.string(), limit: z.number() }).strict());
    expect(gate([before], [after])).toEqual([
      { subject: SUBJECT, message: 'request', path: 'limit', change: 'optional made required' },
    ]);
  });

  it('a type narrowed (null no longer allowed, integer instead of number) breaks them', () => {
    const before = rpc(z.object({ since: z.string().nullable(), n: z.number() }).strict());
    const after = rpc(z.object({ since: z.string(), n: z.number().int() }).strict());
    expect(gate([before], [after])).toEqual([
      { subject: SUBJECT, message: 'request', path: 'since', change: 'type string|null → string' },
      { subject: SUBJECT, message: 'request', path: 'n', change: 'type number → integer' },
      // zod's int() is a safe integer: its bounds are narrowings too.
      {
        subject: SUBJECT,
        message: 'request',
        path: 'n',
        change: 'minimum -9007199254740991 added',
      },
      { subject: SUBJECT, message: 'request', path: 'n', change: 'maximum 9007199254740991 added' },
    ]);
  });

  it('an enum value removed or a bound tightened breaks them', () => {
    const before = rpc(z.object({ kind: Kind, text: z.string().max(100) }).strict());
    const after = rpc(z.object({ kind: z.enum(['a']), text: z.string().max(50) }).strict());
    expect(gate([before], [after])).toEqual([
      { subject: SUBJECT, message: 'request', path: 'kind', change: 'enum value "b" removed' },
      { subject: SUBJECT, message: 'request', path: 'text', change: 'maxLength 100 → 50' },
    ]);
  });

  it('widening it breaks nobody: an optional field, an enum value, a looser bound added', () => {
    const before = rpc(z.object({ kind: z.enum(['a']), text: z.string().max(50) }).strict());
    const after = rpc(
      z.object({ kind: Kind, text: z.string().max(100), hint: z.string().optional() }).strict(),
    );
    expect(gate([before], [after])).toEqual([]);
  });
});

describe('breaking changes to an RPC result: what callers receive must still be what they accept', () => {
  const request = z.object({ id: z.string() }).strict();

  it('a required field removed, or made optional, breaks them', () => {
    const before = rpc(request, z.object({ name: z.string(), size: z.number() }).strict());
    const after = rpc(request, z.object({ size: z.number().optional() }).strict());
    expect(gate([before], [after])).toEqual([
      { subject: SUBJECT, message: 'result', path: 'name', change: 'required field removed' },
      { subject: SUBJECT, message: 'result', path: 'size', change: 'required made optional' },
    ]);
  });

  it('an enum value added, or a field added to a closed result, breaks them', () => {
    const before = rpc(request, z.object({ kind: z.enum(['a']) }).strict());
    const after = rpc(request, z.object({ kind: Kind, extra: z.string().optional() }).strict());
    expect(gate([before], [after])).toEqual([
      { subject: SUBJECT, message: 'result', path: 'kind', change: 'enum value "b" added' },
      { subject: SUBJECT, message: 'result', path: 'extra', change: 'optional field added' },
    ]);
  });

  it('narrowing it breaks nobody: an enum value removed, a field made required', () => {
    const before = rpc(request, z.object({ kind: Kind, note: z.string().optional() }).strict());
    const after = rpc(request, z.object({ kind: z.enum(['a']), note: z.string() }).strict());
    expect(gate([before], [after])).toEqual([]);
  });
});

describe('breaking changes to an event: read by old consumers, and kept in the stream for new ones', () => {
  it('a field added breaks the consumers of the released version (closed payloads)', () => {
    const before = event(z.object({ id: z.string() }).strict());
    const after = event(z.object({ id: z.string(), tag: z.string().optional() }).strict());
    expect(gate([before], [after])).toEqual([
      { subject: EVENT, message: 'event', path: 'tag', change: 'optional field added' },
    ]);
  });

  it('an enum value removed breaks upgraded consumers reading events published before', () => {
    const before = event(z.object({ kind: Kind }).strict());
    const after = event(z.object({ kind: z.enum(['a']) }).strict());
    expect(gate([before], [after])).toEqual([
      { subject: EVENT, message: 'event', path: 'kind', change: 'enum value "b" removed' },
    ]);
  });

  it('a description changed breaks nobody', () => {
    const before = event(z.object({ id: z.string() }).strict());
    const after = event(z.object({ id: z.string().describe('The item') }).strict());
    expect(gate([before], [after])).toEqual([]);
  });
});

describe('pushes, versions and removed subjects', () => {
  const push = (payload: z.ZodObject) => definePush({ subjectPrefix: PUSH, payload });

  it('a push that may now carry what clients refuse breaks them', () => {
    const before = push(z.object({ kind: z.enum(['a']) }).strict());
    const after = push(z.object({ kind: Kind }).strict());
    expect(gate([before], [after])).toEqual([
      { subject: PUSH, message: 'push', path: 'kind', change: 'enum value "b" added' },
    ]);
  });

  it('a variant added to a discriminated union breaks its readers, a variant changed is compared', () => {
    const offer = z.object({ type: z.literal('offer'), sdp: z.string().max(10) }).strict();
    const answer = z.object({ type: z.literal('answer'), sdp: z.string() }).strict();
    const before = push(z.object({ signal: z.discriminatedUnion('type', [offer]) }).strict());
    const after = push(
      z
        .object({
          signal: z.discriminatedUnion('type', [offer.extend({ sdp: z.string().max(20) }), answer]),
        })
        .strict(),
    );
    expect(gate([before], [after])).toEqual([
      { subject: PUSH, message: 'push', path: 'signal.sdp', change: 'maxLength 10 → 20' },
      {
        subject: PUSH,
        message: 'push',
        path: 'signal',
        change: 'variant object{type=answer} added',
      },
    ]);
  });

  it('a new subject version next to the released one is never compared with it', () => {
    const v1 = rpc(z.object({ id: z.string() }).strict());
    const v2 = rpc(z.object({ ids: z.array(z.string()) }).strict(), undefined, 'rpc.demo.find.v2');
    expect(gate([v1], [v1, v2])).toEqual([]);
  });

  it('removing a subject version breaks whoever used it at the release', () => {
    const v1 = rpc(z.object({ id: z.string() }).strict());
    const v2 = rpc(z.object({ ids: z.array(z.string()) }).strict(), undefined, 'rpc.demo.find.v2');
    expect(gate([v1, v2], [v2])).toEqual([
      { subject: SUBJECT, message: 'subject', path: '', change: 'subject removed' },
    ]);
    // Once no other service uses it at the release, it may go.
    const ownerOnly = asyncApiDocument({
      version: '1',
      contracts: [v1, v2],
      services: { demo: roles({ answers: [v1.subject, v2.subject] }) },
    });
    expect(breakingChanges(ownerOnly, documentOf([v2]))).toEqual([]);
  });
});
