import * as Chat from './index';

describe('chat contracts', () => {
  it('measures message text in bytes of UTF-8, after trimming', () => {
    const euro = '€'; // 3 bytes
    expect(Chat.MessageText.safeParse(euro.repeat(1365)).success).toBe(true);
    expect(Chat.MessageText.safeParse(euro.repeat(1366)).success).toBe(false);
    expect(Chat.MessageText.parse(`  ${'x'.repeat(Chat.MESSAGE_TEXT_MAX_BYTES)}  `)).toHaveLength(
      Chat.MESSAGE_TEXT_MAX_BYTES,
    );
    expect(Chat.MessageText.safeParse('   ').success).toBe(false);
  });

  it('allows client message ids of up to 100 characters, bot-style ones included', () => {
    expect(Chat.ClientMessageId.safeParse(`echo-bot:${'a'.repeat(91)}`).success).toBe(true);
    expect(Chat.ClientMessageId.safeParse('a'.repeat(101)).success).toBe(false);
    expect(Chat.ClientMessageId.safeParse('has space').success).toBe(false);
  });

  const events = [
    Chat.ConversationCreated,
    Chat.MemberAdded,
    Chat.MemberRemoved,
    Chat.MemberRoleChanged,
    Chat.MessageCreated,
    Chat.MessageDeleted,
    Chat.MessageEdited,
    Chat.ReceiptUpdated,
  ];

  it('gives every chat event its own subject in the chat domain', () => {
    expect(new Set(events.map((event) => event.subject)).size).toBe(events.length);
    expect(events.every((event) => event.domain === 'chat')).toBe(true);
  });

  it('tells a realtime edge whom to notify: memberIds, or the members of a new conversation', () => {
    for (const event of events) {
      const shape = event.payload.shape as Record<string, unknown>;
      expect([event.subject, 'memberIds' in shape || 'conversation' in shape]).toEqual([
        event.subject,
        true,
      ]);
    }
  });
});
