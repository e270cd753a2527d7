module.exports = {
  displayName: 'platform-auth',
  preset: '../../../jest.preset.js',
  coverageDirectory: '../../../coverage/libs/platform/auth',
};
