import nx from '@nx/eslint-plugin';

/**
 * Boundaries of ARCHITECTURE.md as a real dependency matrix:
 *   type:app       -> its own scope's type:domain, type:platform, type:contracts
 *   type:domain    -> type:platform, type:contracts (never another domain)
 *   type:platform  -> type:platform, type:contracts
 *   type:contracts -> nothing but zod
 *   type:e2e       -> type:platform, type:contracts (services are started as processes, not imported)
 *   type:tools     -> type:platform, type:contracts, type:infra (deploy derives NATS rights as the stacks do)
 *   type:bench     -> type:platform, type:contracts
 *   type:infra     -> type:contracts (Pulumi programs; read the generated messaging manifest)
 * and by scope: a scope reaches only itself and `scope:shared`; `scope:web` (the browser client)
 * reaches no lib at all: it talks to the gateway over HTTP and WebSocket only.
 */
const depConstraints = [
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: ['type:domain', 'type:platform', 'type:contracts'],
  },
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts'] },
  { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts'] },
  {
    sourceTag: 'type:contracts',
    onlyDependOnLibsWithTags: ['type:contracts'],
    allowedExternalImports: ['zod'],
  },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts'] },
  {
    sourceTag: 'type:tools',
    onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:infra'],
  },
  { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts'] },
  { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:contracts'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:chat', onlyDependOnLibsWithTags: ['scope:chat', 'scope:shared'] },
  { sourceTag: 'scope:stories', onlyDependOnLibsWithTags: ['scope:stories', 'scope:shared'] },
  { sourceTag: 'scope:calls', onlyDependOnLibsWithTags: ['scope:calls', 'scope:shared'] },
  { sourceTag: 'scope:bots', onlyDependOnLibsWithTags: ['scope:bots', 'scope:shared'] },
  { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:gateway', 'scope:shared'] },
  // The host of several domains: any of them, still nothing between them but contracts.
  {
    sourceTag: 'scope:monolith',
    onlyDependOnLibsWithTags: [
      'scope:chat',
      'scope:stories',
      'scope:calls',
      'scope:bots',
      'scope:shared',
    ],
  },
  { sourceTag: 'scope:web', onlyDependOnLibsWithTags: [] },
];

const ENTRY_POINT_ONLY = {
  group: ['@switchboard/*/**'],
  message: 'Import a lib only through its entry point: @switchboard/<lib>.',
};

/** One config block per folder of libs/platform/messaging/src/lib, banning the folders it may not use. */
function messagingLayers(allowed) {
  const folders = Object.keys(allowed);
  return folders.map((folder) => ({
    files: [`libs/platform/messaging/src/lib/${folder}/**/*.ts`],
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.fixture.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ENTRY_POINT_ONLY,
            {
              group: folders
                .filter((other) => other !== folder && !allowed[folder].includes(other))
                .map((other) => `../${other}/*`),
              message: `messaging/${folder} may import only ${allowed[folder].join(', ') || 'no other folder'} (eslint.config.mjs, messagingLayers).`,
            },
            ...(allowed[folder].length === 0
              ? [
                  {
                    group: ['../*'],
                    message: `messaging/${folder} is the base layer: it imports no other file of the lib.`,
                  },
                ]
              : []),
          ],
        },
      ],
    },
  }));
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/coverage', '**/.nx', '**/.switchboard'],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          banTransitiveDependencies: true,
          checkDynamicDependenciesExceptions: [],
          allow: [],
          depConstraints,
        },
      ],
      // A lib is imported only through its entry point (`@switchboard/<lib>`), never a file inside it.
      'no-restricted-imports': [
        'error',
        {
          patterns: [ENTRY_POINT_ONLY],
        },
      ],
    },
  },
  // The messaging lib's folders, layered: each may import only the folders below it (tests may
  // import anything). Read bottom-up: nats/ and storage/ are the base, events/ the top.
  ...messagingLayers({
    nats: [],
    storage: [],
    metrics: [],
    context: ['nats'],
    jetstream: ['nats'],
    rpc: ['nats', 'context', 'metrics'],
    dlq: ['nats', 'jetstream'],
    outbox: ['nats', 'context', 'jetstream', 'storage', 'metrics'],
    events: ['nats', 'context', 'jetstream', 'storage', 'dlq', 'metrics'],
  }),
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
];
