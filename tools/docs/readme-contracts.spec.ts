import * as contracts from '@switchboard/contracts';
import { type EventContract, type PushContract, type RpcContract } from '@switchboard/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type AnyContract = RpcContract | EventContract | PushContract;

/** Every contract, found by walking the contracts' namespaces (`Chat`, `Bots`, …). */
function allContracts(): AnyContract[] {
  const found: AnyContract[] = [];
  for (const namespace of Object.values(contracts)) {
    if (typeof namespace !== 'object' || namespace === null) continue;
    for (const value of Object.values(namespace as Record<string, unknown>)) {
      const kind = (value as { kind?: unknown } | null)?.kind;
      if (kind === 'rpc' || kind === 'event' || kind === 'push') found.push(value as AnyContract);
    }
  }
  return found;
}

/** How the README names it: the subject, or for pushes the prefix followed by `.<user>`. */
function subjectOf(contract: AnyContract): string {
  return contract.kind === 'push' ? `${contract.subjectPrefix}.<user>` : contract.subject;
}

describe('README', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

  it('lists every subject the contracts define, so the table of messages cannot fall behind', () => {
    const subjects = allContracts().map(subjectOf);
    expect(subjects.length).toBeGreaterThan(10);
    const missing = subjects.filter((subject) => !readme.includes(`\`${subject}\``));
    expect(missing).toEqual([]);
  });
});
