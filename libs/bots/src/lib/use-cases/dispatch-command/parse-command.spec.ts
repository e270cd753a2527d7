import { parseCommand } from './parse-command';

describe('parseCommand', () => {
  it('splits a command from its arguments', () => {
    expect(parseCommand('/echo hello   world')).toEqual({ name: 'echo', args: 'hello   world' });
    expect(parseCommand('  /ECHO hi ')).toEqual({ name: 'echo', args: 'hi' });
  });

  it('accepts a command without arguments', () => {
    expect(parseCommand('/echo')).toEqual({ name: 'echo', args: '' });
  });

  it('keeps line breaks inside the arguments', () => {
    expect(parseCommand('/echo a\nb')).toEqual({ name: 'echo', args: 'a\nb' });
  });

  it('ignores text that is not a command', () => {
    expect(parseCommand('hello /echo hi')).toBeNull();
    expect(parseCommand('/')).toBeNull();
    expect(parseCommand('/ echo')).toBeNull();
    expect(parseCommand('//echo')).toBeNull();
  });
});
