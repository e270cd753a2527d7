import * as contracts from '@switchboard/contracts';
import { type EventContract, type RpcContract } from '@switchboard/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every RPC and event contract, found by walking the contracts' namespaces (`Chat`, `Bots`, …). */
function allContracts(): (RpcContract | EventContract)[] {
  const found: (RpcContract | EventContract)[] = [];
  for (const namespace of Object.values(contracts)) {
    if (typeof namespace !== 'object' || namespace === null) continue;
    for (const value of Object.values(namespace as Record<string, unknown>)) {
      const kind = (value as { kind?: unknown } | null)?.kind;
      if (kind === 'rpc' || kind === 'event') found.push(value as RpcContract | EventContract);
    }
  }
  return found;
}

describe('README', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

  it('lists every subject the contracts define, so the table of messages cannot fall behind', () => {
    const subjects = allContracts().map((contract) => contract.subject);
    expect(subjects.length).toBeGreaterThan(10);
    const missing = subjects.filter((subject) => !readme.includes(`\`${subject}\``));
    expect(missing).toEqual([]);
  });
});
