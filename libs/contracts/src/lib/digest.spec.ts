import { z } from 'zod';
import { allContracts } from './registry';
import { defineRpc, type RpcContract } from './contract';
import { contractDigest } from './digest';

const postMessage = (request: z.ZodObject) =>
  defineRpc({
    subject: 'rpc.test.post-message.v1',
    request,
    result: z.object({ messageId: z.string() }).strict(),
  });
const ping = defineRpc({
  subject: 'rpc.test.ping.v1',
  request: z.object({}).strict(),
  result: z.object({ at: z.number().int() }).strict(),
});

describe('contractDigest', () => {
  const original = postMessage(
    z.object({ room: z.string().min(1), text: z.string().max(2_000) }).strict(),
  );

  it('is a sha256 that does not depend on order, repeats or how the schemas were built', () => {
    const digest = contractDigest([original, ping]);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(contractDigest([ping, original, ping])).toBe(digest);
    // The same shapes declared again, fields in another order: the same wire contract.
    const rebuilt = postMessage(
      z.object({ text: z.string().max(2_000), room: z.string().min(1) }).strict(),
    );
    expect(contractDigest([rebuilt, ping])).toBe(digest);
  });

  it.each<[string, z.ZodObject]>([
    [
      'a field added',
      z.object({ room: z.string().min(1), text: z.string().max(2_000), x: z.number() }),
    ],
    ['a bound changed', z.object({ room: z.string().min(1), text: z.string().max(4_000) })],
    [
      'a field made optional',
      z.object({ room: z.string().min(1), text: z.string().max(2_000).optional() }),
    ],
    ['a type changed', z.object({ room: z.number(), text: z.string().max(2_000) })],
  ])('changes when the request schema changes: %s', (_change, request) => {
    const before = contractDigest([original, ping]);
    expect(contractDigest([postMessage(request.strict()), ping])).not.toBe(before);
  });

  it('changes when the result schema or the set of contracts changes', () => {
    const resultChanged: RpcContract = { ...original, result: z.object({ id: z.string() }) };
    expect(contractDigest([resultChanged])).not.toBe(contractDigest([original]));
    expect(contractDigest([original])).not.toBe(contractDigest([original, ping]));
    expect(contractDigest([])).toMatch(/^sha256:/);
  });

  it("digests every domain's RPC contracts", () => {
    const rpcs = allContracts().filter((contract) => contract.kind === 'rpc');
    expect(rpcs.length).toBeGreaterThan(0);
    expect(contractDigest(rpcs)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
