import { AppError, type Bots, type Chat, type EventPayload } from '@switchboard/contracts';
import { UnprocessableEvent } from '@switchboard/platform-messaging';
import { type EntityManager } from 'typeorm';
import { type BotsConfig } from '../../bots.config';
import { type WebhookBotEntity } from '../../entities/webhook-bot.entity';
import { type BotReplies } from '../../replies/bot-replies';
import { type WebhookHttpClient, type WebhookHttpResult } from '../../webhooks/webhook-http.client';
import { CallWebhookUseCase } from './call-webhook.use-case';

/** The use case's decisions, with the HTTP call and chat replaced by fakes. */
describe('CallWebhookUseCase', () => {
  const bot: WebhookBotEntity = {
    id: '0190a1b2-0000-7000-8000-000000000001',
    name: 'weather-bot',
    ownerId: 'alice',
    description: 'weather',
    commands: [{ name: 'weather', description: 'weather' }],
    webhookUrl: 'http://127.0.0.1:9/hook',
    signingSecret: 'secret',
    createdAt: new Date(),
  };
  const call: EventPayload<typeof Bots.WebhookCallRequested> = {
    callId: '0190a1b2-0000-7000-8000-000000000002',
    botId: bot.id,
    command: 'weather',
    args: 'Lisbon',
    message: {
      id: '0190a1b2-0000-7000-8000-000000000003',
      conversationId: '0190a1b2-0000-7000-8000-000000000004',
      sender: { kind: 'user', id: 'alice' },
      text: '/weather Lisbon',
      clientMessageId: null,
      ref: null,
      createdAt: '2026-11-26T12:00:00.000Z',
      editedAt: null,
      deletedAt: null,
    },
  };

  const setup = (options: {
    result?: WebhookHttpResult;
    allowPrivate?: boolean;
    found?: boolean;
  }) => {
    const http = { post: jest.fn().mockResolvedValue(options.result) };
    const replies = {
      post: jest.fn().mockResolvedValue({ id: 'posted' } as Chat.MessageView),
    };
    const manager = {
      findOneBy: jest.fn().mockResolvedValue(options.found === false ? null : bot),
    } as unknown as EntityManager;
    const config = {
      BOTS_ALLOW_PRIVATE_WEBHOOKS: options.allowPrivate ?? true,
      BOTS_WEBHOOK_TIMEOUT_MS: 1_000,
    } as BotsConfig;
    const useCase = new CallWebhookUseCase(
      http as unknown as WebhookHttpClient,
      replies as unknown as BotReplies,
      config,
    );
    return { run: () => useCase.execute(call, manager), http, replies, manager };
  };
  const response = (status: number, body = ''): WebhookHttpResult => ({
    kind: 'response',
    status,
    body,
  });

  it('posts the text of a 2xx answer as the bot, keyed by the trigger message', async () => {
    const { run, replies, manager } = setup({ result: response(200, '{"text":" 21°C "}') });
    await expect(run()).resolves.toBe('replied');
    expect(replies.post).toHaveBeenCalledWith(manager, {
      bot: 'weather-bot',
      conversationId: call.message.conversationId,
      text: '21°C',
      key: call.message.id,
      triggerMessageId: call.message.id,
    });
  });

  it('reports a reply the rate limit dropped', async () => {
    const { run, replies } = setup({ result: response(200, '{"text":"hi"}') });
    replies.post.mockResolvedValue(null);
    await expect(run()).resolves.toBe('rate-limited');
  });

  it.each<[string, WebhookHttpResult]>([
    ['204', response(204)],
    ['an empty 200', response(200, '')],
    ['{}', response(200, '{}')],
    ['text: null', response(200, '{"text":null}')],
    ['a blank text', response(201, '{"text":"  "}')],
  ])('ends without a reply on %s', async (_label, result) => {
    const { run, replies } = setup({ result });
    await expect(run()).resolves.toBe('no-reply');
    expect(replies.post).not.toHaveBeenCalled();
  });

  it.each<[string, WebhookHttpResult, string]>([
    ['not JSON', response(200, 'hello'), 'not JSON'],
    ['a JSON array', response(200, '["hello"]'), 'string "text"'],
    ['a number as text', response(200, '{"text":1}'), 'string "text"'],
    [
      'a text over 4 KiB',
      response(200, JSON.stringify({ text: 'é'.repeat(2_049) })),
      'valid message',
    ],
    ['a body too large to read', { kind: 'too-large', status: 200 }, 'larger than'],
    ['301', response(301), 'HTTP 301 (redirects are not followed)'],
    ['307', response(307), 'HTTP 307'],
    ['400', response(400), 'HTTP 400'],
    ['401', response(401), 'HTTP 401'],
    ['404', response(404), 'HTTP 404'],
    ['410', response(410), 'HTTP 410'],
    ['an address refused at connect time', { kind: 'refused-address', message: 'x' }, 'refused'],
  ])('gives up at once, for the DLQ, on %s', async (_label, result, reason) => {
    const { run, replies } = setup({ result });
    const error = await run().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(UnprocessableEvent);
    expect((error as Error).message).toContain(reason);
    expect(replies.post).not.toHaveBeenCalled();
  });

  it.each<[string, WebhookHttpResult]>([
    ['500', response(500)],
    ['502', response(502)],
    ['503', response(503)],
    ['408', response(408)],
    ['429', response(429)],
    ['a time-out', { kind: 'timeout' }],
    ['a network error', { kind: 'network', message: 'ECONNRESET' }],
  ])('throws a retriable error on %s', async (_label, result) => {
    const { run, replies } = setup({ result });
    const error = await run().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'BOTS.WEBHOOK_UNAVAILABLE', retriable: true });
    expect(replies.post).not.toHaveBeenCalled();
  });

  it('skips a call whose bot no longer exists', async () => {
    const { run, http } = setup({ found: false });
    await expect(run()).resolves.toBe('bot-gone');
    expect(http.post).not.toHaveBeenCalled();
  });

  it('refuses a private URL when private webhooks are not allowed, without calling it', async () => {
    const { run, http, replies } = setup({
      result: response(200, '{"text":"hi"}'),
      allowPrivate: false,
    });
    await expect(run()).rejects.toThrow(UnprocessableEvent);
    expect(http.post).not.toHaveBeenCalled();
    expect(replies.post).not.toHaveBeenCalled();
  });

  it('signs the request and passes the time-out and the private-address setting on', async () => {
    const { run, http } = setup({ result: response(204) });
    await run();
    expect(http.post).toHaveBeenCalledWith(
      expect.objectContaining({
        url: bot.webhookUrl,
        timeoutMs: 1_000,
        allowPrivate: true,
        headers: expect.objectContaining({
          'Switchboard-Call-Id': call.callId,
          'Switchboard-Signature': expect.stringMatching(/^v1=[0-9a-f]{64}$/),
        }),
      }),
    );
  });
});
