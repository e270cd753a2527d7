module.exports = {
  displayName: 'infra',
  preset: '../jest.preset.js',
  // Pulumi's SDK loads JSON files at runtime.
  moduleFileExtensions: ['ts', 'js', 'json'],
  coverageDirectory: '../coverage/infra',
  // A real nats-server is started by some tests.
  testTimeout: 30_000,
};
