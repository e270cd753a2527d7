import { parseDuration, parsePollArgs, parseReminder } from './command-args';

describe('parseDuration', () => {
  it('reads seconds, minutes, hours and days', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('2H')).toBe(7_200_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
  });

  it('refuses zero, more than 30 days and other shapes', () => {
    for (const text of ['0s', '31d', '721h', '10', 'm', '1.5h', '-1m', '1w', '1 m', '']) {
      expect(parseDuration(text)).toBeNull();
    }
  });
});

describe('parseReminder', () => {
  it('splits the duration from the text', () => {
    expect(parseReminder('10m stand-up\nin room 2')).toEqual({
      delayMs: 600_000,
      text: 'stand-up\nin room 2',
    });
  });

  it('needs both a valid duration and a text', () => {
    expect(parseReminder('10m')).toBeNull();
    expect(parseReminder('soon call mum')).toBeNull();
    expect(parseReminder('')).toBeNull();
  });
});

describe('parsePollArgs', () => {
  it('reads a question and its options', () => {
    expect(parsePollArgs('"Lunch?" "pizza" "sushi"  "salad bar"')).toEqual({
      question: 'Lunch?',
      options: ['pizza', 'sushi', 'salad bar'],
    });
    expect(parsePollArgs('“Lunch?” “pizza” “sushi”')).toEqual({
      question: 'Lunch?',
      options: ['pizza', 'sushi'],
    });
  });

  it('refuses unquoted text, empty parts and too few or too many options', () => {
    expect(parsePollArgs('Lunch? pizza sushi')).toBeNull();
    expect(parsePollArgs('"Lunch?" pizza "sushi"')).toBeNull();
    expect(parsePollArgs('"Lunch?" "pizza" "sushi')).toBeNull();
    expect(parsePollArgs('"Lunch?" "" "sushi"')).toBeNull();
    expect(parsePollArgs('"Lunch?" "pizza"')).toBeNull();
    const eleven = Array.from({ length: 11 }, (_, i) => `"${i}"`).join(' ');
    expect(parsePollArgs(`"Q" ${eleven}`)).toBeNull();
    expect(parsePollArgs('')).toBeNull();
  });
});
