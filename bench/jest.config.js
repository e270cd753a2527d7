module.exports = {
  displayName: 'bench',
  preset: '../jest.preset.js',
  coverageDirectory: '../coverage/bench',
  // The preset's patterns, plus the report's browser test (the rendered HTML, loaded in Chromium).
  testMatch: ['**/?(*.)+(spec|int-spec|e2e-spec|browser-spec).ts'],
};
