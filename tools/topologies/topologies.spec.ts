import Ajv2020 from 'ajv/dist/2020';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const workspaceRoot = join(__dirname, '..', '..');
const folder = join(workspaceRoot, 'topologies');

/** Calls an export of tools/scripts/lib/topology.mjs (ESM, Node built-ins only) in a child Node. */
function call<T>(fn: string, ...args: unknown[]): T {
  const url = pathToFileURL(join(workspaceRoot, 'tools', 'scripts', 'lib', 'topology.mjs')).href;
  const script = `import(${JSON.stringify(url)}).then((m) => {
    try { process.stdout.write(JSON.stringify({ value: m[${JSON.stringify(fn)}](...${JSON.stringify(args)}) })); }
    catch (error) { process.stdout.write(JSON.stringify({ error: error.message })); }
  })`;
  const { value, error } = JSON.parse(
    execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }),
  ) as { value?: T; error?: string };
  if (error !== undefined) throw new Error(error);
  return value as T;
}

const read = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(folder, `${name}.json`), 'utf8')) as Record<string, unknown>;
type Process = { name: string; host: string; port: number; domains?: string[] };
const withProcesses = (processes: Process[]) => ({ processes });
const gateway: Process = { name: 'gateway', host: 'gateway', port: 3000 };

/** The hosts (in HOSTS' order) and domains tools/scripts/lib/services.mjs knows: a generated one too. */
const known = JSON.parse(
  execFileSync(
    process.execPath,
    [
      '-e',
      `import(${JSON.stringify(pathToFileURL(join(workspaceRoot, 'tools', 'scripts', 'lib', 'services.mjs')).href)}).then((m) => process.stdout.write(JSON.stringify({ hosts: Object.keys(m.HOSTS), domains: m.DOMAINS })))`,
    ],
    { encoding: 'utf8' },
  ),
) as { hosts: string[]; domains: string[] };
const domainsBut = (...hosted: string[]) =>
  known.domains.filter((domain) => !hosted.includes(domain)).join(', ');

describe('topologies/', () => {
  const names = readdirSync(folder)
    .filter((file) => file.endsWith('.json') && !file.endsWith('.schema.json'))
    .map((file) => file.replace(/\.json$/, ''));

  it('has the services, monolith and mixed topologies', () => {
    expect(names.sort()).toEqual(['mixed', 'monolith', 'services']);
  });

  it.each(['services', 'monolith', 'mixed'])(
    '%s is valid, by the schema and by the rules',
    (name) => {
      const validate = new Ajv2020({ allErrors: true }).compile(
        JSON.parse(readFileSync(join(folder, 'topology.schema.json'), 'utf8')),
      );
      expect(validate(read(name)) ? [] : validate.errors).toEqual([]);
      expect(call('validateTopology', read(name))).toEqual([]);
    },
  );

  it('routes every domain, in the gateway, to the process hosting it', () => {
    const mixed = call<Record<string, unknown>>('loadTopology', folder, 'mixed');
    // A domain added later (a generated service) runs in a process of its own after these.
    expect(call<string>('gatewayUpstreams', mixed)).toMatch(
      /^chat=http:\/\/127\.0\.0\.1:3101,bots=http:\/\/127\.0\.0\.1:3101,stories=http:\/\/127\.0\.0\.1:3102,calls=http:\/\/127\.0\.0\.1:3103(,|$)/,
    );
    const hosts = call<string[]>('hostsOf', mixed);
    expect(hosts.slice(0, 3)).toEqual(['monolith', 'stories', 'calls']);
    expect(hosts.at(-1)).toBe('gateway');
  });

  it('names every problem of a wrong topology', () => {
    expect(
      call(
        'validateTopology',
        withProcesses([
          { name: 'one', host: 'monolith', port: 3100, domains: ['chat', 'bots'] },
          { name: 'two', host: 'bots', port: 3100, domains: ['bots', 'chat'] },
          { name: 'Three', host: 'ledger', port: 0 },
          gateway,
          gateway,
        ]),
      ),
    ).toEqual([
      'processes[1].port: 3100 is used twice',
      'processes[1].domains: bots is already hosted by one',
      'processes[1].domains: bots cannot host chat (it carries bots)',
      'processes[2].name: lower-case letters, digits and -, starting with a letter',
      'processes[2].port: a port number (1-65535)',
      `processes[2].host: one of ${known.hosts.join(', ')} (a folder of services/)`,
      'processes[4].name: gateway is used twice',
      'processes[4].port: 3000 is used twice',
      `processes: no process hosts ${domainsBut('chat', 'bots')}`,
      'processes: exactly one gateway, not 2',
    ]);
  });

  it('refuses a host without domains, a gateway with one, and an unknown topology', () => {
    expect(
      call(
        'validateTopology',
        withProcesses([
          { name: 'all', host: 'monolith', port: 3100, domains: [] },
          { ...gateway, domains: ['chat'] },
        ]),
      ),
    ).toEqual([
      `processes[0].domains: monolith must host at least one of ${known.domains.join(', ')}`,
      'processes[1].domains: gateway cannot host chat (it carries no domain)',
      `processes: no process hosts ${domainsBut()}`,
    ]);
    expect(() => call('loadTopology', folder, 'galaxy')).toThrow(
      'no topology "galaxy"; choose from mixed, monolith, services',
    );
  });

  it('keeps the schema in step with the hosts and domains the scripts know', () => {
    const schema = JSON.parse(readFileSync(join(folder, 'topology.schema.json'), 'utf8')) as {
      properties: {
        processes: {
          items: { properties: Record<string, { enum?: string[]; items?: { enum: string[] } }> };
        };
      };
    };
    const { host, domains } = schema.properties.processes.items.properties;
    expect(host?.enum?.slice().sort()).toEqual(known.hosts.slice().sort());
    expect(domains?.items?.enum).toEqual(known.domains);
    // And every host is a project folder under services/.
    expect(readdirSync(join(workspaceRoot, 'services')).sort()).toEqual(known.hosts.slice().sort());
  });
});
