module.exports = {
  displayName: 'e2e',
  preset: '../jest.preset.js',
  coverageDirectory: '../coverage/test',
  // The preset's patterns, plus the browser e2e (test/browser), which drives the web client in Chromium.
  testMatch: ['**/?(*.)+(spec|int-spec|e2e-spec|browser-spec).ts'],
};
