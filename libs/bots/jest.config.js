module.exports = {
  displayName: 'bots-domain',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/bots',
};
