import { type EventEmitter } from 'node:events';
import {
  type EntitySubscriberInterface,
  EventSubscriber,
  type TransactionCommitEvent,
} from 'typeorm';

/** What the guard reads of pg's client. */
interface PgClient {
  /** `I` idle, `T` in a transaction, `E` in a failed transaction (pg ≥ 8.14). */
  getTransactionStatus?(): 'I' | 'T' | 'E' | null;
  /** False from sending a statement until the server's ReadyForQuery, which carries the status. */
  readyForQuery?: boolean;
  connection?: EventEmitter;
}

/** A transaction that cannot commit because a statement in it failed and the error was caught. */
export class AbortedTransactionError extends Error {
  override readonly name = 'AbortedTransactionError';

  constructor() {
    super(
      'A statement in this transaction failed and its error was caught: Postgres would roll the ' +
        'transaction back on COMMIT while reporting success. Let the error propagate, or run the ' +
        'statement that may fail in a nested transaction (a savepoint) and handle its error there.',
    );
  }
}

/**
 * Refuses to commit a Postgres transaction that has already failed.
 *
 * After a failed statement Postgres refuses every further one, and answers COMMIT by rolling back —
 * without an error, so TypeORM resolves `transaction()` as if it had committed. Code that catches
 * the statement's error (an insert racing a unique key, say) would then report success for work
 * that was thrown away: a 201 for a message never stored, an event acked whose inbox row and
 * effects vanished. This subscriber turns that into an error before COMMIT is sent, which rolls
 * the transaction back as any other failure does. A released savepoint is checked too: it fails
 * the same way, only later.
 *
 * It costs no statement: pg records the status from the server's ReadyForQuery message.
 */
// Listed in the data source's options, which take only classes TypeORM knows as subscribers.
@EventSubscriber()
export class AbortedTransactionGuard implements EntitySubscriberInterface {
  async beforeTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    const client = (event.queryRunner as { databaseConnection?: PgClient }).databaseConnection;
    if (client?.getTransactionStatus === undefined) return;
    // pg hands a statement's error to its caller on the server's ErrorResponse, before the
    // ReadyForQuery that follows it and says the transaction has failed: wait for that first.
    if (client.readyForQuery === false && client.connection) await readyForQuery(client.connection);
    if (client.getTransactionStatus() === 'E') throw new AbortedTransactionError();
  }
}

/** The connection's next ReadyForQuery, or its end (COMMIT will then fail on its own). */
function readyForQuery(connection: EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      connection.off('readyForQuery', done);
      connection.off('end', done);
      resolve();
    };
    connection.on('readyForQuery', done);
    connection.on('end', done);
  });
}
