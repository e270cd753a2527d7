import { z } from 'zod';
import { defineEvent, defineRpc } from '../contract';
import { allContracts } from '../registry';
import { asyncApiDocument, NO_ROLES } from './asyncapi-document';

const none = NO_ROLES;

describe('the AsyncAPI document of the contracts', () => {
  // Every contract; chat answering post-message and publishing, bots calling and consuming.
  const document = asyncApiDocument({
    version: '1.2.3',
    services: {
      chat: {
        ...none,
        answers: ['rpc.chat.post-message.v1'],
        publishes: ['evt.chat.message.created.v1'],
      },
      bots: {
        ...none,
        calls: ['rpc.chat.post-message.v1'],
        consumes: [{ subject: 'evt.chat.message.created.v1' }],
      },
      gateway: { ...none, reads: ['CHAT'] },
    },
    streams: [{ name: 'CHAT', subjects: ['evt.chat.>'] }],
  });

  it('has a channel and messages for every contract, with its payload schema and headers', () => {
    for (const contract of allContracts()) {
      const name = contract.kind === 'push' ? contract.subjectPrefix : contract.subject;
      expect(document.channels[name]).toMatchObject({ 'x-switchboard-kind': contract.kind });
    }
    const messages = document.components.messages;
    const post = messages['rpc.chat.post-message.v1.request'];
    expect(post['payload']).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['conversationId', 'sender', 'text']),
      additionalProperties: false,
    });
    expect(post['headers']).toMatchObject({
      properties: { 'Switchboard-Deadline': {}, traceparent: {} },
    });
    // A result goes out as `{ "ok": true, ...result }`, an error as the envelope with `ok: false`.
    expect(messages['rpc.chat.post-message.v1.result']['payload']).toMatchObject({
      properties: { ok: { const: true }, message: { type: 'object' } },
      required: ['ok', 'message'],
    });
    expect(messages['rpc.error']).toMatchObject({
      headers: { required: ['Nats-Service-Error-Code', 'Switchboard-Error-Code'] },
      payload: { properties: { ok: { const: false } }, required: expect.arrayContaining(['code']) },
    });
    expect(messages['evt.chat.message.created.v1']['headers']).toMatchObject({
      required: ['Nats-Msg-Id', 'Switchboard-Event-Id'],
    });
    expect(document.channels['push.calls.signal.v1']).toMatchObject({
      address: 'push.calls.signal.v1.{userId}',
    });
  });

  it("names each service's roles as operations, a stream it reads as every event in it", () => {
    expect(document.operations['bots.consumes.evt.chat.message.created.v1']).toMatchObject({
      action: 'receive',
      channel: { $ref: '#/channels/evt.chat.message.created.v1' },
    });
    expect(document.operations['bots.calls.rpc.chat.post-message.v1']).toMatchObject({
      action: 'send',
      reply: { channel: { $ref: '#/channels/rpc.chat.post-message.v1.reply' } },
    });
    expect(document.operations['chat.answers.rpc.chat.post-message.v1']).toMatchObject({
      action: 'receive',
    });
    expect(document.operations['gateway.reads.evt.chat.member.added.v1']).toMatchObject({
      action: 'receive',
    });
  });

  describe('from contracts given', () => {
    const Ping = defineRpc({
      subject: 'rpc.demo.ping.v1',
      request: z.object({}).strict(),
      result: z.object({ pong: z.boolean() }).strict(),
    });
    const Pinged = defineEvent({
      subject: 'evt.demo.ping.sent.v1',
      payload: z.object({ at: z.string() }).strict(),
    });
    const contracts = [Ping, Pinged];

    it('keeps only the subjects a service uses when asked (one service’s document)', () => {
      const used = asyncApiDocument({
        version: '1',
        contracts,
        services: { demo: { ...none, answers: [Ping.subject] } },
        usedOnly: true,
      });
      expect(Object.keys(used.channels)).toEqual(['rpc.demo.ping.v1', 'rpc.demo.ping.v1.reply']);
      expect(Object.keys(used.components.messages).sort()).toEqual([
        'rpc.demo.ping.v1.request',
        'rpc.demo.ping.v1.result',
        'rpc.error',
      ]);
    });

    it('refuses a role on a subject no contract defines, and a read of an unknown stream', () => {
      expect(() =>
        asyncApiDocument({
          version: '1',
          contracts,
          services: { demo: { ...none, calls: ['rpc.demo.pong.v1'] } },
        }),
      ).toThrow('demo calls rpc.demo.pong.v1, which no contract defines');
      expect(() =>
        asyncApiDocument({
          version: '1',
          contracts,
          services: { demo: { ...none, reads: ['X'] } },
        }),
      ).toThrow('stream X is read but not defined');
    });
  });
});
