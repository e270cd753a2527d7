import { createHash } from 'node:crypto';
import { wireSchema } from './asyncapi/json-schema';
import { type RpcContract } from './contract';

/** Each contract's canonical JSON, computed once: a process digests its contracts at every boot. */
const canonicalOf = new WeakMap<RpcContract, string>();

/**
 * `sha256:<hex>` of what the given RPC contracts put on the wire: each one's subject and the JSON
 * Schema of its request and result as the AsyncAPI document gives them (`wireSchema`), sorted by
 * subject. Two processes answering the same subjects with the same digest agree on every request
 * and result shape; a changed field, type, bound or description changes it. Order and repeats of
 * `contracts` do not matter.
 */
export function contractDigest(contracts: readonly RpcContract[]): string {
  const entries = [...new Set(contracts)]
    .sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0))
    .map(canonicalContract);
  return `sha256:${createHash('sha256')
    .update(`[${entries.join(',')}]`)
    .digest('hex')}`;
}

function canonicalContract(contract: RpcContract): string {
  let text = canonicalOf.get(contract);
  if (text === undefined) {
    text = canonicalJson({
      subject: contract.subject,
      request: wireSchema(contract.request),
      result: wireSchema(contract.result),
    });
    canonicalOf.set(contract, text);
  }
  return text;
}

/**
 * JSON with object keys sorted, so the digest does not depend on the order fields were declared
 * in; `required` is a set in JSON Schema, so it is sorted too. Other arrays keep their order.
 */
function canonicalJson(value: unknown, key?: string): string {
  if (Array.isArray(value)) {
    const items = value.map((item) => canonicalJson(item));
    return `[${(key === 'required' ? items.sort() : items).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const fields = Object.keys(value)
      .sort()
      .filter((name) => (value as Record<string, unknown>)[name] !== undefined)
      .map(
        (name) =>
          `${JSON.stringify(name)}:${canonicalJson((value as Record<string, unknown>)[name], name)}`,
      );
    return `{${fields.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
