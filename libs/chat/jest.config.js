module.exports = {
  displayName: 'chat-domain',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/chat',
};
