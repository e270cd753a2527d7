/**
 * Entry point of one events-suite process: the producer (publishes, reports when its events are
 * written) or the consumer (handles them, reports when every one is done). Started by the
 * orchestrator with an IPC channel; its config is the JSON in argv[2].
 */
import 'reflect-metadata';
import { cpuUsage } from 'node:process';
import {
  collectGarbage,
  cpuSince,
  expectFromParent,
  runChild,
  sendToParent,
} from '../../process/child-ipc';
import { ConsumedLog } from '../consumed.log';
import { EVENTS_IMPLEMENTATIONS } from '../implementations';
import {
  encodeTimes,
  type EventsChildConfig,
  type EventsChildMessage,
  type EventsParentMessage,
} from './protocol';

const send = (message: EventsChildMessage): Promise<void> => sendToParent(message);

async function expect<T extends EventsParentMessage['type']>(type: T): Promise<void> {
  await expectFromParent<EventsParentMessage, T>(type);
}

async function runProducer(config: EventsChildConfig): Promise<void> {
  const implementation = await EVENTS_IMPLEMENTATIONS[config.implementation].load();
  const producer = await implementation.startProducer(config);
  await send({ type: 'ready' });

  // Warm-up (at the same pace as the measurement): V8 optimises the path, pools and connections
  // fill; its numbers are dropped.
  await expect('warm-up');
  await producer.produce(0, config.warmupEvents);
  await send({ type: 'produced', times: { startedAtUs: 0, writtenAtUs: 0 } });

  await expect('measure-start');
  collectGarbage();
  const start = cpuUsage();
  await send({ type: 'measuring' });
  await expect('produce');
  const times = await producer.produce(config.warmupEvents, config.events);
  await send({
    type: 'produced',
    times: {
      startedAtUs: times.startedAtUs,
      writtenAtUs: times.writtenAtUs,
      relayedAtUs: times.relayedAtUs,
      committedAtUs: times.committedAtUs && encodeTimes(times.committedAtUs),
      scheduleLagHistogram: times.scheduleLag?.encode(),
    },
  });
  // Counted until the consumer is done too: a relay still at work belongs to the producer.
  await expect('measure-stop');
  await send({ type: 'cpu', cpu: cpuSince(start) });
  await expect('stop');
  await producer.stop();
}

async function runConsumer(config: EventsChildConfig): Promise<void> {
  const implementation = await EVENTS_IMPLEMENTATIONS[config.implementation].load();
  const log = new ConsumedLog(config.warmupEvents, config.events);
  const consumer = await implementation.startConsumer({ ...config, log });
  await send({ type: 'ready' });

  await log.until(config.warmupEvents);
  await send({ type: 'consumed' });

  await expect('measure-start');
  collectGarbage();
  const start = cpuUsage();
  await send({ type: 'measuring' });
  await log.until(config.warmupEvents + config.events);
  await send({
    type: 'consumed',
    result: {
      doneAtUs: encodeTimes(log.measuredDoneAtUs()),
      fromPayloadHistogram: log.fromPayload.encode(),
      duplicates: log.duplicates,
    },
  });
  await expect('measure-stop');
  await send({ type: 'cpu', cpu: cpuSince(start) });
  await expect('stop');
  await consumer.stop();
}

runChild(async () => {
  const config = JSON.parse(process.argv[2] ?? '') as EventsChildConfig;
  if (config.role === 'producer') await runProducer(config);
  else await runConsumer(config);
});
