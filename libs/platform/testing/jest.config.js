module.exports = {
  displayName: 'platform-testing',
  preset: '../../../jest.preset.js',
  coverageDirectory: '../../../coverage/libs/platform/testing',
};
