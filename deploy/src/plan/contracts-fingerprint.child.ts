/**
 * Run as `node -r deploy/register.cjs contracts-fingerprint.child.ts <contracts index.ts>
 * [<messaging manifest>]`: loads
 * that copy of libs/contracts and prints, for every export (`Chat.MessageCreated`, `UserId`), a
 * digest of what it means at run time — a message's subject and JSON Schemas, a schema's JSON
 * Schema, a constant's value, a function's source — so two commits can be compared export by
 * export without diffing text. A separate process: each copy of the contracts is loaded alone.
 */
import { type AnyContract, asyncApiDocument } from '@switchboard/contracts';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { type ExportFingerprint } from './contract-changes';

function isSchema(value: unknown): value is z.ZodType {
  return value instanceof z.ZodType;
}

function isContract(
  value: unknown,
): value is { kind: string; subject?: string; subjectPrefix?: string } {
  const kind = (value as { kind?: unknown } | null)?.kind;
  return kind === 'rpc' || kind === 'event' || kind === 'push';
}

/** What a value means, as plain JSON: schemas both as they parse (input) and as they come out. */
function describe(value: unknown): unknown {
  if (isSchema(value)) {
    const schema = (io: 'input' | 'output'): unknown => {
      try {
        return z.toJSONSchema(value, { io, unrepresentable: 'any', cycles: 'ref' });
      } catch (error) {
        return `unrepresentable: ${(error as Error).message}`;
      }
    };
    return { input: schema('input'), output: schema('output') };
  }
  if (typeof value === 'function') return { source: value.toString() };
  if (value instanceof RegExp) return { regexp: String(value) };
  if (Array.isArray(value)) return value.map(describe);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, describe((value as Record<string, unknown>)[key])]),
    );
  }
  return value === undefined ? null : value;
}

/** A namespace re-export (`export * as Chat`): an object holding contracts or schemas. */
function isNamespace(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || isSchema(value) || isContract(value))
    return false;
  return Object.values(value).some((member) => isSchema(member) || isContract(member));
}

function fingerprint(name: string, value: unknown): ExportFingerprint {
  const digest = createHash('sha256')
    .update(JSON.stringify(describe(value)))
    .digest('hex');
  const subject = isContract(value) ? (value.subject ?? value.subjectPrefix) : undefined;
  return subject === undefined ? { name, digest } : { name, digest, subject };
}

const entry = process.argv[2];
if (!entry)
  throw new Error('usage: contracts-fingerprint.child.ts <path of libs/contracts/src/index.ts>');
const contracts = require(entry) as Record<string, unknown>;
const fingerprints: ExportFingerprint[] = [];
for (const name of Object.keys(contracts).sort()) {
  const value = contracts[name];
  if (isNamespace(value)) {
    for (const member of Object.keys(value).sort()) {
      fingerprints.push(fingerprint(`${name}.${member}`, value[member]));
    }
  } else {
    fingerprints.push(fingerprint(name, value));
  }
}
const manifest = process.argv[3];
if (manifest === undefined) {
  process.stdout.write(JSON.stringify(fingerprints));
} else {
  const { services, streams } = JSON.parse(readFileSync(manifest, 'utf8')) as Parameters<
    typeof asyncApiDocument
  >[0];
  const document = asyncApiDocument({
    version: 'compared',
    services,
    streams,
    contracts: contractsOf(contracts),
  });
  process.stdout.write(JSON.stringify({ fingerprints, document }));
}

/** Every RPC, event and push contract of that copy, found in its namespaces. */
function contractsOf(exported: Record<string, unknown>): AnyContract[] {
  const found = Object.values(exported)
    .filter(isNamespace)
    .flatMap((namespace) => Object.values(namespace).filter(isContract));
  return [...new Set(found)] as AnyContract[];
}
