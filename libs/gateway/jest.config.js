module.exports = {
  displayName: 'gateway-domain',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/gateway',
};
