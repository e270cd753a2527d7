module.exports = {
  displayName: 'platform-runtime',
  preset: '../../../jest.preset.js',
  coverageDirectory: '../../../coverage/libs/platform/runtime',
};
