import { connect, type ConsumerMessages } from 'nats';
import { NATS_CONNECT_OPTIONS } from '../../implementations/implementation';
import {
  BENCH_STREAM,
  BenchEvent,
  benchEvent,
  type BenchEventPayload,
  MAX_ACK_PENDING,
  nowUs,
  rawConsumerConfig,
} from '../bench-event.contract';
import {
  type ConsumerSettings,
  type EventsConsumer,
  type EventsImplementation,
  type EventsProducer,
  produceUnits,
  type ProducerSettings,
} from './implementation';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const DURABLE = 'bench-raw';

/**
 * The floor: nats.js `js.publish` with up to `window` PubAcks outstanding (or at a fixed rate), into a stream set up like
 * the platform's, and a durable pull consumer (`consume()`, explicit ack, the transport's pull
 * batch) that parses each body and acks it. No database, no validation, no headers, no
 * de-duplication id: what JetStream itself costs with the same events.
 */
export const rawEventsImplementation: EventsImplementation = {
  async startProducer(settings: ProducerSettings): Promise<EventsProducer> {
    const connection = await connect({
      servers: settings.natsUrl,
      name: 'bench-raw-producer',
      ...NATS_CONNECT_OPTIONS,
    });
    const js = connection.jetstream();
    return {
      async produce(from: number, count: number) {
        const startedAtUs = nowUs();
        const scheduleLag = await produceUnits(
          count,
          1,
          { lanes: settings.window, rate: settings.rate },
          async (unit) => {
            const event = benchEvent(from + unit, settings.payloadBytes);
            await js.publish(BenchEvent.subject, encoder.encode(JSON.stringify(event)));
          },
        );
        return { startedAtUs, writtenAtUs: nowUs(), scheduleLag };
      },
      stop: () => connection.drain(),
    };
  },

  async startConsumer(settings: ConsumerSettings): Promise<EventsConsumer> {
    const connection = await connect({
      servers: settings.natsUrl,
      name: 'bench-raw-consumer',
      ...NATS_CONNECT_OPTIONS,
    });
    const jsm = await connection.jetstreamManager();
    await jsm.consumers.add(BENCH_STREAM, rawConsumerConfig(DURABLE));
    const consumer = await connection.jetstream().consumers.get(BENCH_STREAM, DURABLE);
    const messages: ConsumerMessages = await consumer.consume({ max_messages: MAX_ACK_PENDING });
    const loop = (async () => {
      for await (const msg of messages) {
        const event = JSON.parse(decoder.decode(msg.data)) as BenchEventPayload;
        msg.ack();
        settings.log.record(event.seq, event.at);
      }
    })();
    return {
      async stop() {
        messages.stop();
        await loop;
        await connection.drain();
      },
    };
  },
};
