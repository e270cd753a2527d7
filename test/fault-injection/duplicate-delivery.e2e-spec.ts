import { Chat, type EventPayload } from '@switchboard/contracts';
import { EventHeaders } from '@switchboard/platform-messaging';
import { uuidv7 } from '@switchboard/platform-persistence';
import { headers as natsHeaders, type PubAck } from 'nats';
import { openConversation } from './support/chat-load';
import { consumerFigures, printFigures } from './support/probes';
import { type FaultWorld, startFaultWorld } from './support/world';

const BURST = 20;

/**
 * Duplicates reach a consumer in three ways: a publisher retrying with the same `Nats-Msg-Id`
 * (JetStream's duplicate window drops it), the same event stored twice under different message ids
 * (a replay, a publisher that lost its PubAck after the window), and a redelivery after a nak. The
 * ledger's inbox must turn each into one effect — also when copies are handled at the same moment.
 */
describe('fault injection: the same event published twice, and redelivered after a nak', () => {
  let world: FaultWorld;

  beforeAll(async () => {
    world = await startFaultWorld();
  }, 90_000);

  afterAll(async () => {
    const codes = await world?.stop();
    expect(codes).toEqual([0, 0]);
  }, 60_000);

  it('has one effect per event however often it is stored or delivered', async () => {
    const driver = await openConversation(world.chat);
    const js = world.nats.jetstream();
    const acks: PubAck[] = [];
    const chatShaped = (text: string): EventPayload<typeof Chat.MessageCreated> => ({
      message: {
        id: uuidv7(),
        conversationId: driver.conversationId,
        sender: { kind: 'user', id: 'alice' },
        text,
        clientMessageId: null,
        ref: null,
        createdAt: new Date().toISOString(),
        editedAt: null,
        deletedAt: null,
      },
      memberIds: ['alice'],
    });
    const publish = async (
      payload: EventPayload<typeof Chat.MessageCreated>,
      eventId: string,
      msgID: string,
    ): Promise<PubAck> => {
      const headers = natsHeaders();
      headers.set(EventHeaders.EVENT_ID, eventId);
      const ack = await js.publish(Chat.MessageCreated.subject, JSON.stringify(payload), {
        msgID,
        headers,
      });
      acks.push(ack);
      return ack;
    };

    // 1. Through chat's outbox, failing its first delivery: nak'd, redelivered, booked once.
    const flakyPost = await driver.post('flaky through chat');
    if (!flakyPost.ok) throw new Error(flakyPost.reason);

    // 2. The same event twice with the same Nats-Msg-Id, then under a new one.
    const twice = chatShaped('published twice');
    const first = await publish(twice, `evt-${twice.message.id}`, `${twice.message.id}-copy-1`);
    const retried = await publish(twice, `evt-${twice.message.id}`, `${twice.message.id}-copy-1`);
    const secondCopy = await publish(
      twice,
      `evt-${twice.message.id}`,
      `${twice.message.id}-copy-2`,
    );

    // 3. A flaky event stored twice: both copies fail their first attempt and are redelivered.
    const flakyTwice = chatShaped('flaky and published twice');
    await publish(flakyTwice, `evt-${flakyTwice.message.id}`, `${flakyTwice.message.id}-copy-1`);
    await publish(flakyTwice, `evt-${flakyTwice.message.id}`, `${flakyTwice.message.id}-copy-2`);

    // 4. A burst of copies of one event, handled concurrently by the ledger.
    const burst = chatShaped('burst of copies');
    await Promise.all(
      Array.from({ length: BURST }, (_, copy) =>
        publish(burst, `evt-${burst.message.id}`, `${burst.message.id}-copy-${copy}`),
      ),
    );

    await world.waitForQuiet(4, 60_000);
    const effectsOf = {
      flakyThroughChat: await world.ledgerDb.effectsOf(flakyPost.messageId),
      publishedTwice: await world.ledgerDb.effectsOf(twice.message.id),
      flakyPublishedTwice: await world.ledgerDb.effectsOf(flakyTwice.message.id),
      burst: await world.ledgerDb.effectsOf(burst.message.id),
    };
    const effects = await world.ledgerDb.effects();
    const attemptOf = (messageId: string) =>
      effects.find((effect) => effect.messageId === messageId)?.attempt;
    const consumer = await consumerFigures(world.jsm);
    const dropped = acks.filter((ack) => ack.duplicate).length;

    printFigures('duplicates and redeliveries', {
      'copies published (raw)': acks.length,
      'dropped by the duplicate window': dropped,
      'stored in the stream (incl. 1 from chat)': consumer.streamMessages,
      'deliveries / redeliveries': `${consumer.deliveries} / ${consumer.redeliveries}`,
      'effects: flaky through chat': `${effectsOf.flakyThroughChat} (booked on attempt ${attemptOf(flakyPost.messageId)})`,
      'effects: published twice': effectsOf.publishedTwice,
      'effects: flaky, published twice': `${effectsOf.flakyPublishedTwice} (booked on attempt ${attemptOf(flakyTwice.message.id)})`,
      [`effects: burst of ${BURST} copies`]: effectsOf.burst,
      'effect rows in total': effects.length,
    });

    expect(first.duplicate).toBe(false);
    expect(retried).toMatchObject({ duplicate: true, seq: first.seq });
    expect(secondCopy.duplicate).toBe(false);
    expect(consumer.streamMessages).toBe(1 + 2 + 2 + BURST);
    // Both flaky events were nak'd and delivered again.
    expect(consumer.redeliveries).toBeGreaterThanOrEqual(3);
    expect(effectsOf).toEqual({
      flakyThroughChat: 1,
      publishedTwice: 1,
      flakyPublishedTwice: 1,
      burst: 1,
    });
    // The first attempt's row was rolled back with its failure: what stays is a later attempt.
    expect(attemptOf(flakyPost.messageId)).toBe(2);
    expect(attemptOf(flakyTwice.message.id)).toBe(2);
    expect(effects).toHaveLength(4);
  }, 120_000);
});
