import { assertPinnedImage } from './pinned-image';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('assertPinnedImage', () => {
  it('accepts an image pinned by digest or tag, refuses latest and bare names', () => {
    expect(() => assertPinnedImage(`localhost:5000/sb/chat@${DIGEST}`)).not.toThrow();
    expect(() => assertPinnedImage('localhost:5000/sb/chat:1.4.2')).not.toThrow();
    expect(() => assertPinnedImage('localhost:5000/sb/chat')).toThrow(/pinned/);
    expect(() => assertPinnedImage('sb/chat:latest')).toThrow(/pinned/);
  });
});
