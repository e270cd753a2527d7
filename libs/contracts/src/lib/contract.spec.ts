import { z } from 'zod';
import * as contracts from '../index';
import { allContracts, Chat, DOMAINS, eventDomains } from '../index';
import { defineEvent, defineRpc } from './contract';
import { AppError, errorKindOfStatus, ERROR_KIND_STATUS } from './errors';

describe('contracts', () => {
  it('refuses subjects that break the naming rules', () => {
    const payload = z.object({});
    expect(() => defineEvent({ subject: 'chat.message.created', payload })).toThrow(
      /evt\.<domain>/,
    );
    expect(() => defineEvent({ subject: 'evt.chat.message.created', payload })).toThrow();
    expect(() =>
      defineRpc({ subject: 'rpc.chat.PostMessage.v1', request: payload, result: payload }),
    ).toThrow(/rpc\.<domain>/);
  });

  it("keeps each domain's contracts in its namespace, named for it", () => {
    // Every namespace the lib exports (a generated domain's too), found by its DOMAIN.
    const namespaces = (Object.values(contracts) as unknown[]).filter(
      (value): value is { DOMAIN: string } =>
        typeof (value as { DOMAIN?: unknown } | null)?.DOMAIN === 'string',
    );
    expect(namespaces.map((namespace) => namespace.DOMAIN).sort()).toEqual([...DOMAINS].sort());
    for (const namespace of namespaces) {
      const strays = Object.values(namespace).filter(
        (value) =>
          (value as { kind?: string } | null)?.kind !== undefined &&
          (value as { domain?: string }).domain !== namespace.DOMAIN,
      );
      expect(strays).toEqual([]);
    }
    expect(DOMAINS.slice(0, 4)).toEqual(['chat', 'stories', 'calls', 'bots']);
    // The edge comes last: it reads the streams of the domains before it.
    expect(DOMAINS.at(-1)).toBe('gateway');
    expect(allContracts()).toContain(Chat.MessageCreated);
  });

  it('defines a stream for each domain that has events, from the contracts', () => {
    const publishers = DOMAINS.filter((domain) =>
      allContracts().some((contract) => contract.domain === domain && contract.kind === 'event'),
    );
    expect(eventDomains()).toEqual(publishers);
    expect(eventDomains()).toEqual(expect.arrayContaining(['chat', 'stories', 'calls', 'bots']));
  });

  it('records the owning domain of a subject', () => {
    expect(Chat.PostMessage.domain).toBe('chat');
    expect(Chat.MessageCreated.domain).toBe('chat');
  });

  it('accepts a well-formed post-message request and rejects unknown fields', () => {
    const request = {
      conversationId: '0190a0f0-0000-7000-8000-000000000000',
      sender: { kind: 'bot', id: 'echo-bot' },
      text: '  hi  ',
    };
    expect(Chat.PostMessage.request.parse(request).text).toBe('hi');
    expect(Chat.PostMessage.request.safeParse({ ...request, admin: true }).success).toBe(false);
    expect(Chat.PostMessage.request.safeParse({ ...request, text: '   ' }).success).toBe(false);
  });

  it('maps every error kind to a status and back', () => {
    for (const [kind, status] of Object.entries(ERROR_KIND_STATUS)) {
      expect(errorKindOfStatus(status)).toBe(kind);
    }
    expect(errorKindOfStatus(418)).toBe('internal');
  });

  it('marks only transient kinds retriable by default', () => {
    expect(new AppError('X', 'unavailable', 'down').toEnvelope().retriable).toBe(true);
    expect(new AppError('X', 'conflict', 'taken').toEnvelope()).toEqual({
      code: 'X',
      message: 'taken',
      retriable: false,
    });
  });
});
