module.exports = {
  displayName: 'calls-domain',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/calls',
};
