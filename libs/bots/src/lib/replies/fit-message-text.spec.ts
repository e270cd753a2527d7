import { Chat } from '@switchboard/contracts';
import { fitMessageText } from './bot-replies';

describe('fitMessageText', () => {
  const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

  it('leaves a text that fits as it is, trimmed', () => {
    expect(fitMessageText('  hello  ')).toBe('hello');
    const exact = 'x'.repeat(Chat.MESSAGE_TEXT_MAX_BYTES);
    expect(fitMessageText(exact)).toBe(exact);
  });

  it('cuts a longer text to chat’s limit with an ellipsis', () => {
    const cut = fitMessageText('x'.repeat(Chat.MESSAGE_TEXT_MAX_BYTES + 1));
    expect(cut.endsWith('…')).toBe(true);
    expect(bytes(cut)).toBeLessThanOrEqual(Chat.MESSAGE_TEXT_MAX_BYTES);
    expect(Chat.MessageText.safeParse(cut).success).toBe(true);
  });

  it('never cuts a character in half', () => {
    const cut = fitMessageText('😀'.repeat(Chat.MESSAGE_TEXT_MAX_BYTES));
    expect(cut).toMatch(/^(😀)+…$/u);
    expect(bytes(cut)).toBeLessThanOrEqual(Chat.MESSAGE_TEXT_MAX_BYTES);
  });
});
