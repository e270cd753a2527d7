/** The benchmark suites `npm run bench` can run; RPC is the default. */
export const SUITES = ['rpc', 'events', 'gateway', 'topology', 'e2e', 'spans', 'report'] as const;
export type Suite = (typeof SUITES)[number];

/**
 * Takes `--suite <name>` (or `--suite=<name>`) out of the arguments; the rest belongs to the suite's
 * own flags. Throws on an unknown suite.
 */
export function splitSuite(argv: string[]): { suite: Suite; rest: string[] } {
  const rest: string[] = [];
  let name: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--suite') {
      name = argv[++i];
      if (name === undefined) throw new Error('--suite: expected a name');
    } else if (arg.startsWith('--suite=')) {
      name = arg.slice('--suite='.length);
    } else {
      rest.push(arg);
    }
  }
  const suite = name ?? 'rpc';
  if (!(SUITES as readonly string[]).includes(suite)) {
    throw new Error(`--suite: unknown "${suite}"; choose from ${SUITES.join(', ')}`);
  }
  return { suite: suite as Suite, rest };
}
