module.exports = {
  displayName: 'stories-domain',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/stories',
};
