import {
  createTestEnvironment,
  type ServiceProcess,
  type TestEnvironment,
  waitFor,
} from '@switchboard/platform-testing';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { setTimeout as sleep } from 'node:timers/promises';
import { startService } from '../../e2e/services';
import { consumerFigures, DatabaseProbe } from './probes';

/**
 * One suite's world: its own nats-server and databases, chat (the producer) and the ledger fixture
 * (the consumer) as real processes, a NATS connection and direct database probes for counting.
 */
export interface FaultWorld {
  env: TestEnvironment;
  chat: ServiceProcess;
  /** The ledger process running now (a new one after `restartLedger`). */
  ledger: ServiceProcess;
  nats: NatsConnection;
  jsm: JetStreamManager;
  chatDb: DatabaseProbe;
  ledgerDb: DatabaseProbe;
  /** Starts a new ledger process (the old one must be gone) with the ledger's environment + `extra`. */
  startLedger(extra?: Record<string, string>): Promise<ServiceProcess>;
  /**
   * Waits until `expected` messages have at least one effect and the ledger's consumer has nothing
   * pending or unacknowledged, then `settleMs` more for a late duplicate to show.
   */
  waitForQuiet(expected: number, timeoutMs: number, settleMs?: number): Promise<void>;
  /** Stops both services gracefully and the environment; resolves their exit codes. */
  stop(): Promise<(number | null)[]>;
}

/** The ledger's environment on top of the suite's, or a function of the suite's environment. */
export type LedgerEnv =
  Record<string, string> | ((env: TestEnvironment) => Promise<Record<string, string>>);

export async function startFaultWorld(ledgerEnvOption: LedgerEnv = {}): Promise<FaultWorld> {
  const env = await createTestEnvironment(['chat', 'ledger']);
  const opened: { close(): Promise<void> }[] = [];
  const running: ServiceProcess[] = [];
  try {
    const ledgerEnv =
      typeof ledgerEnvOption === 'function' ? await ledgerEnvOption(env) : ledgerEnvOption;
    const started = await Promise.allSettled([
      startService(env, 'chat'),
      startService(env, 'ledger', ledgerEnv),
    ]);
    for (const service of started) {
      if (service.status === 'fulfilled') running.push(service.value);
    }
    const failed = started.find((service) => service.status === 'rejected');
    if (failed) throw failed.reason;
    const [chat, ledger] = running;
    const nats = await connect({
      servers: env.nats.url,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
    opened.push({ close: () => nats.close() });
    const chatDb = await DatabaseProbe.open(env.databases['chat'].url);
    opened.push(chatDb);
    const ledgerDb = await DatabaseProbe.open(env.databases['ledger'].url);
    opened.push(ledgerDb);
    const world: FaultWorld = {
      env,
      chat,
      ledger,
      nats,
      jsm: await nats.jetstreamManager(),
      chatDb,
      ledgerDb,
      async startLedger(extra = {}) {
        world.ledger = await startService(env, 'ledger', { ...ledgerEnv, ...extra });
        return world.ledger;
      },
      async waitForQuiet(expected, timeoutMs, settleMs = 1_000) {
        let last = 'nothing yet';
        await waitFor(
          async () => {
            const booked = await ledgerDb.bookedMessages();
            const consumer = await consumerFigures(world.jsm);
            last = `${booked}/${expected} messages booked, consumer ${JSON.stringify(consumer)}`;
            return booked >= expected && consumer.pending === 0 && consumer.ackPending === 0;
          },
          { timeoutMs, intervalMs: 250, message: () => `the ledger did not catch up: ${last}` },
        );
        await sleep(settleMs);
      },
      async stop() {
        const codes = await Promise.all([world.chat.stop(), world.ledger.stop()]);
        await closeAll(opened);
        await env.stop();
        return codes;
      },
    };
    return world;
  } catch (error) {
    await Promise.all(running.map((service) => service.stop().catch(() => null)));
    await closeAll(opened);
    await env.stop();
    throw error;
  }
}

async function closeAll(opened: { close(): Promise<void> }[]): Promise<void> {
  await Promise.all(opened.map((resource) => resource.close().catch(() => undefined)));
}
