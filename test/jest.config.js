const base = {
  preset: '../jest.preset.js',
  rootDir: __dirname,
  // The preset's patterns, plus the browser e2e (test/browser), which drives the web client in Chromium.
  testMatch: ['**/?(*.)+(spec|int-spec|e2e-spec|browser-spec).ts'],
};

/**
 * The specs that hold in every topology (they start their processes with test/e2e/system.ts), run
 * again against the monolith and the mixed topology — the same files, no copy. The rest runs on
 * `services` only: the monolith's own spec and live extraction (they start the topologies they
 * are about), the messaging manifest (generated per deployable), fault injection, the browser, the
 * pipeline and the course.
 */
const EVERY_TOPOLOGY = [
  'echo-bot',
  'bots-commands',
  'stories-calls',
  'gateway',
  'chat-lifecycle',
  'migrate-mode',
].map((name) => `<rootDir>/e2e/${name}.e2e-spec.ts`);

module.exports = {
  coverageDirectory: '../coverage/test',
  // Two files at once (jest's default on two cores is one): most of an e2e file's time is spent
  // waiting on processes, brokers and timeouts, and each file has its own nats-server, databases
  // and ports, so two never share state.
  maxWorkers: 2,
  projects: [
    { ...base, displayName: 'e2e' },
    ...['monolith', 'mixed'].map((topology) => ({
      ...base,
      displayName: `e2e:${topology}`,
      testMatch: EVERY_TOPOLOGY,
      globals: { E2E_TOPOLOGY: topology },
    })),
  ],
};
