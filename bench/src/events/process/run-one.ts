import { createTestDatabase, type TestDatabase } from '@switchboard/platform-testing';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { type JetStreamManager } from 'nats';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { BenchProcess } from '../../process/bench-process';
import { type ProcessCpuReader } from '../../process/process-cpu';
import { type CpuTime } from '../../process/protocol';
import { LatencyRecorder, type LatencySummary, summarize } from '../../runner/latency.recorder';
import { bytes, DEFAULT_PAYLOAD_BYTES } from '../../payload';
import { BENCH_STREAM, benchStreamConfig } from '../bench-event.contract';
import { type EventsDatabase } from '../events.options';
import { EVENTS_IMPLEMENTATIONS, type EventsImplementationName } from '../implementations';
import { backendCpuBetween, type PostgresProbe } from '../postgres.probe';
import {
  decodeTimes,
  type EventsChildConfig,
  type EventsChildMessage,
  type EventsParentMessage,
} from './protocol';

const CHILD_ENTRY = join(__dirname, 'child.main.ts');
const START_TIMEOUT_MS = 60_000;

type EventsProcess = BenchProcess<EventsChildMessage, EventsParentMessage, EventsChildConfig>;

/** One measured configuration: an implementation and, for the platform, events per transaction. */
export interface EventsVariant {
  implementation: EventsImplementationName;
  /** Events per transaction (platform); 1 for raw, where each publish stands alone. */
  batch: number;
  /** Platform: where the two services keep their tables. Absent for raw. */
  db?: EventsDatabase;
  /** Each event's JSON body, bytes. */
  payloadBytes: number;
}

export interface EventsRunSpec extends EventsVariant {
  round: number;
  natsUrl: string;
  warmupEvents: number;
  events: number;
  window: number;
  transactions: number;
  /** Events/s on a fixed schedule instead of as fast as possible. */
  rate?: number;
  /** When set, each process writes a V8 CPU profile into this directory as it exits. */
  profileDir?: string;
}

export interface EventsRunResult extends EventsVariant {
  round: number;
  events: number;
  /** Deliveries of an event that was already done (redeliveries); the run waits for every event. */
  duplicates: number;
  /** First write (publish / transaction) → last event done (acked / effect committed). */
  elapsedMs: number;
  throughput: number;
  /** Events per second the producer wrote (PubAck'd / committed), on its own clock. */
  writeThroughput: number;
  /** Milliseconds from the first write: last write done, outbox drained (platform), last done. */
  stagesMs: { written: number; relayed?: number; done: number };
  /** Raw: publish → ack. Platform: commit → effect committed. */
  latencyUs: LatencySummary;
  /** Payload time → done (platform: from `Outbox.add`, i.e. before the commit). */
  fromPayloadUs: LatencySummary;
  /** Fixed rate only: how late the producer started its publishes / transactions. */
  scheduleLagUs?: LatencySummary;
  /**
   * CPU per measured event, µs, for every process on the path. With SQLite the database works
   * inside the producer and consumer processes, so its CPU is theirs.
   */
  cpuPerEventUs: { producer: number; consumer: number; natsServer?: number; postgres?: number };
  /** 1-minute load average when the run began: the machine is shared. */
  loadAverage: number;
  latencyHistogram: string;
}

/**
 * One measurement: an empty stream, fresh databases (platform), a fresh consumer and producer
 * process, the warm-up events end to end, a garbage collection on both sides, the measured events
 * end to end, then both processes stopped and the databases dropped before the next run begins.
 */
export async function runOneEvents(
  spec: EventsRunSpec,
  deps: { jsm: JetStreamManager; natsServerCpu: ProcessCpuReader; postgres?: PostgresProbe },
): Promise<EventsRunResult> {
  const label = `${describeVariant(spec)} round ${spec.round}`;
  const loadAverage = loadavg()[0] ?? 0;
  await deps.jsm.streams.delete(BENCH_STREAM).catch(() => undefined);
  await deps.jsm.streams.add(benchStreamConfig());

  const databases: RunDatabase[] = [];
  let consumer: EventsProcess | undefined;
  let producer: EventsProcess | undefined;
  try {
    if (EVENTS_IMPLEMENTATIONS[spec.implementation].needsDatabases) {
      databases.push(
        ...(spec.db === 'sqlite'
          ? sqliteDatabases()
          : [
              postgresDatabase(await createTestDatabase('bench_producer')),
              postgresDatabase(await createTestDatabase('bench_consumer')),
            ]),
      );
    }
    const config = (role: EventsChildConfig['role']): EventsChildConfig => ({
      role,
      implementation: spec.implementation,
      natsUrl: spec.natsUrl,
      databaseUrl: (role === 'producer' ? databases[0] : databases[1])?.url,
      warmupEvents: spec.warmupEvents,
      events: spec.events,
      window: spec.window,
      batch: spec.batch,
      payloadBytes: spec.payloadBytes,
      transactions: spec.transactions,
      rate: spec.rate,
    });
    const start = (role: EventsChildConfig['role']): EventsProcess =>
      new BenchProcess(
        `${label} ${role}`,
        config(role),
        profileArgs(spec, label, role),
        CHILD_ENTRY,
      );

    // The durable consumer exists before the first event is published.
    consumer = start('consumer');
    await consumer.expect('ready', START_TIMEOUT_MS);
    producer = start('producer');
    await producer.expect('ready', START_TIMEOUT_MS);
    // Generous: 20 ms per event (a path 50 times slower than this one still finishes), or twice
    // the schedule at a fixed rate.
    const phaseTimeoutMs = (events: number): number =>
      START_TIMEOUT_MS +
      Math.max(events * 20, spec.rate === undefined ? 0 : (events / spec.rate) * 2_000);

    producer.send({ type: 'warm-up' });
    await Promise.all([
      producer.expect('produced', phaseTimeoutMs(spec.warmupEvents)),
      consumer.expect('consumed', phaseTimeoutMs(spec.warmupEvents)),
    ]);

    producer.send({ type: 'measure-start' });
    consumer.send({ type: 'measure-start' });
    await Promise.all([
      producer.expect('measuring', START_TIMEOUT_MS),
      consumer.expect('measuring', START_TIMEOUT_MS),
    ]);
    const dbNames = databases.flatMap((db) =>
      db.postgresName === undefined ? [] : [db.postgresName],
    );
    const natsBefore = deps.natsServerCpu();
    const postgresBefore = await deps.postgres?.backendCpu(dbNames);
    producer.send({ type: 'produce' });
    const [{ times }, { result }] = await Promise.all([
      producer.expect('produced', phaseTimeoutMs(spec.events)),
      consumer.expect('consumed', phaseTimeoutMs(spec.events)),
    ]);
    const natsAfter = deps.natsServerCpu();
    const postgresAfter = await deps.postgres?.backendCpu(dbNames);
    producer.send({ type: 'measure-stop' });
    consumer.send({ type: 'measure-stop' });
    const [producerCpu, consumerCpu] = await Promise.all([
      producer.expect('cpu', START_TIMEOUT_MS),
      consumer.expect('cpu', START_TIMEOUT_MS),
    ]);
    if (!result) throw new Error(`${label}: the consumer reported no result`);
    if (databases.length === 2) {
      await checkDatabases(label, databases, spec.warmupEvents + spec.events);
    }

    const doneAtUs = decodeTimes(result.doneAtUs);
    const committedAtUs =
      times.committedAtUs === undefined ? undefined : decodeTimes(times.committedAtUs);
    let lastDoneUs = 0;
    for (const at of doneAtUs) lastDoneUs = Math.max(lastDoneUs, at);
    const fromPayload = decodeFromCompressedBase64(result.fromPayloadHistogram);
    // Platform: from the commit (which the payload cannot carry) to the effect's commit.
    let latencyHistogram = result.fromPayloadHistogram;
    if (committedAtUs) {
      const latency = new LatencyRecorder();
      for (let i = 0; i < doneAtUs.length; i++) {
        latency.recordMs(((doneAtUs[i] ?? 0) - (committedAtUs[i] ?? 0)) / 1_000);
      }
      latencyHistogram = latency.encode();
    }

    const elapsedMs = (lastDoneUs - times.startedAtUs) / 1_000;
    const perEvent = (cpu: CpuTime | undefined): number | undefined =>
      cpu === undefined ? undefined : (cpu.userUs + cpu.systemUs) / spec.events;
    return {
      implementation: spec.implementation,
      batch: spec.batch,
      ...(spec.db === undefined ? {} : { db: spec.db }),
      payloadBytes: spec.payloadBytes,
      round: spec.round,
      events: spec.events,
      duplicates: result.duplicates,
      elapsedMs,
      throughput: spec.events / (elapsedMs / 1_000),
      writeThroughput: spec.events / ((times.writtenAtUs - times.startedAtUs) / 1e6),
      stagesMs: {
        written: (times.writtenAtUs - times.startedAtUs) / 1_000,
        relayed:
          times.relayedAtUs === undefined
            ? undefined
            : (times.relayedAtUs - times.startedAtUs) / 1_000,
        done: elapsedMs,
      },
      latencyUs: summarize(decodeFromCompressedBase64(latencyHistogram)),
      fromPayloadUs: summarize(fromPayload),
      scheduleLagUs:
        times.scheduleLagHistogram === undefined
          ? undefined
          : summarize(decodeFromCompressedBase64(times.scheduleLagHistogram)),
      cpuPerEventUs: {
        producer: perEvent(producerCpu.cpu) ?? 0,
        consumer: perEvent(consumerCpu.cpu) ?? 0,
        natsServer: perEvent(cpuBetween(natsBefore, natsAfter)),
        postgres: perEvent(backendCpuBetween(postgresBefore, postgresAfter)),
      },
      loadAverage,
      latencyHistogram,
    };
  } catch (error) {
    await Promise.all([producer?.kill(), consumer?.kill()]);
    throw error;
  } finally {
    await Promise.all([producer?.stop(), consumer?.stop()]);
    for (const database of databases) await database.drop();
  }
}

/** One service's database for a run: a Postgres database, or a SQLite file in a temp folder. */
interface RunDatabase {
  url: string;
  /** Postgres only: the database name, whose backends' CPU is counted. */
  postgresName?: string;
  count(table: string): Promise<number>;
  drop(): Promise<void>;
}

function postgresDatabase(database: TestDatabase): RunDatabase {
  return {
    url: database.url,
    postgresName: database.name,
    async count(table) {
      const client = new Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
        return Number(rows[0]?.n);
      } finally {
        await client.end();
      }
    },
    drop: () => database.drop(),
  };
}

/** Producer and consumer files in one fresh folder, removed with the run. */
function sqliteDatabases(): RunDatabase[] {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-events-'));
  let removed = false;
  const file = (name: string): RunDatabase => {
    const path = join(dir, `${name}.sqlite`);
    return {
      url: `sqlite:${path}`,
      async count(table) {
        const db = new Database(path, { readonly: true });
        try {
          const row = db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number };
          return row.n;
        } finally {
          db.close();
        }
      },
      async drop() {
        if (removed) return;
        removed = true;
        rmSync(dir, { recursive: true, force: true });
      },
    };
  };
  return [file('producer'), file('consumer')];
}

/**
 * The platform run did what it claims: the producer's outbox is empty, and the consumer's database
 * holds exactly one inbox row and one effect row per event.
 */
async function checkDatabases(
  label: string,
  [producerDb, consumerDb]: RunDatabase[],
  expected: number,
): Promise<void> {
  const found = {
    outbox: await (producerDb as RunDatabase).count('outbox'),
    inbox: await (consumerDb as RunDatabase).count('inbox'),
    effects: await (consumerDb as RunDatabase).count('bench_effects'),
  };
  if (found.outbox !== 0 || found.inbox !== expected || found.effects !== expected) {
    throw new Error(
      `${label}: expected an empty outbox and ${expected} inbox and effect rows, found ${JSON.stringify(found)}`,
    );
  }
}

export function describeVariant(variant: EventsVariant): string {
  const size =
    variant.payloadBytes === DEFAULT_PAYLOAD_BYTES ? '' : ` ${bytes(variant.payloadBytes)}`;
  if (variant.implementation === 'raw') return `raw${size}`;
  return `${variant.implementation} tx=${variant.batch}${variant.db === 'sqlite' ? ' sqlite' : ''}${size}`;
}

function cpuBetween(before: CpuTime | undefined, after: CpuTime | undefined): CpuTime | undefined {
  return before === undefined || after === undefined
    ? undefined
    : { userUs: after.userUs - before.userUs, systemUs: after.systemUs - before.systemUs };
}

function profileArgs(spec: EventsRunSpec, label: string, role: string): string[] {
  return spec.profileDir === undefined
    ? []
    : [
        '--cpu-prof',
        `--cpu-prof-dir=${spec.profileDir}`,
        `--cpu-prof-name=events-${label.replace(/[^a-z0-9]+/gi, '-')}-${role}.cpuprofile`,
      ];
}
