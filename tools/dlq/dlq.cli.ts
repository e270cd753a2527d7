/**
 * `npm run dlq -- <command>`: look at the dead letters of the `DLQ` stream and replay or purge them.
 * Run `npm run dlq -- help` for the commands. Exit codes: 0 done, 1 failed (NATS unreachable, no DLQ
 * stream, no such entry, purge not confirmed), 2 wrong usage.
 */
import {
  DEFAULT_LIST_LIMIT,
  type DeadLetterEntry,
  DeadLetterError,
  type DeadLetterFilter,
  DeadLetters,
  MAX_LIST_LIMIT,
} from '@switchboard/platform-messaging';
import { connect, type NatsConnection, NatsError } from 'nats';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
/** An unreachable server must fail the command quickly, not after minutes of retries. */
const CONNECT_TIMEOUT_MS = 3_000;
const ERROR_COLUMN_WIDTH = 72;

export const USAGE = `Usage: npm run dlq -- <command> [options]

Inspect and replay the dead letters of the DLQ stream (events a consumer gave up on).

Commands:
  list [--consumer NAME] [--subject SUBJECT] [--limit N] [--from SEQ] [--json]
        dead letters, oldest first (default limit ${DEFAULT_LIST_LIMIT}, at most ${MAX_LIST_LIMIT})
  show <seq>
        one dead letter with all its headers and its payload, as JSON
  replay <seq>
        publish the event again to its original subject (same event id), then delete the entry.
        Every consumer of that subject receives it; those that already handled the event skip it.
  purge [--consumer NAME] [--subject SUBJECT] [--yes]
        delete dead letters (all, or one consumer's); asks first unless --yes
  help  this text

Environment: NATS_URL (default ${DEFAULT_NATS_URL}; comma-separated for several servers).
Exit codes: 0 done, 1 failed, 2 wrong usage.
`;

/** Where the CLI reads and writes; the process's own streams unless a caller passes others. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

const HELP_HINT = 'Run `npm run dlq -- help` for the commands.';

class UsageError extends Error {}
class CliError extends Error {}

interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

const FILTER_OPTIONS = {
  consumer: { type: 'string' },
  subject: { type: 'string' },
} as const;

/** Runs one command and resolves to the process exit code; never throws. */
export async function runDlqCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  let connection: NatsConnection | undefined;
  try {
    if (command === 'help' || command === '--help' || command === '-h') {
      io.stdout.write(USAGE);
      return 0;
    }
    const run = commandOf(command);
    const args = run.parse(rest);
    const url = io.env['NATS_URL']?.trim() || DEFAULT_NATS_URL;
    connection = await connectTo(url);
    return await run.execute(new DeadLetters(connection), args, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof RangeError) {
      io.stderr.write(
        command === undefined
          ? `dlq: ${error.message}\n\n${USAGE}`
          : `dlq: ${error.message}\n${HELP_HINT}\n`,
      );
      return 2;
    }
    io.stderr.write(`dlq: ${describeFailure(error, io)}\n`);
    return 1;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

interface Command {
  parse(args: string[]): Parsed;
  execute(deadLetters: DeadLetters, args: Parsed, io: CliIo): Promise<number>;
}

function commandOf(name: string | undefined): Command {
  switch (name) {
    case 'list':
      return {
        parse: (args) =>
          parse(args, {
            ...FILTER_OPTIONS,
            limit: { type: 'string' },
            from: { type: 'string' },
            json: { type: 'boolean' },
          }),
        execute: list,
      };
    case 'show':
      return { parse: (args) => parse(args, {}, 'seq'), execute: show };
    case 'replay':
      return { parse: (args) => parse(args, {}, 'seq'), execute: replay };
    case 'purge':
      return {
        parse: (args) => parse(args, { ...FILTER_OPTIONS, yes: { type: 'boolean' } }),
        execute: purge,
      };
    case undefined:
      throw new UsageError('a command is needed');
    default:
      throw new UsageError(`unknown command "${name}"`);
  }
}

function parse(
  args: string[],
  options: Record<string, { type: 'string' | 'boolean' }>,
  positional?: string,
): Parsed {
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: positional !== undefined, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (positional !== undefined && parsed.positionals.length !== 1) {
    throw new UsageError(`expected exactly one <${positional}>, got ${parsed.positionals.length}`);
  }
  return parsed;
}

async function list(deadLetters: DeadLetters, { values }: Parsed, io: CliIo): Promise<number> {
  const filter = filterOf(values);
  const limit =
    values['limit'] === undefined
      ? DEFAULT_LIST_LIMIT
      : positiveInteger(values['limit'], '--limit');
  if (limit > MAX_LIST_LIMIT) throw new UsageError(`--limit is at most ${MAX_LIST_LIMIT}`);
  const fromSeq = values['from'] === undefined ? 1 : positiveInteger(values['from'], '--from');
  // One more than asked says whether there is a next page.
  const page = await deadLetters.list({
    ...filter,
    limit: Math.min(limit + 1, MAX_LIST_LIMIT),
    fromSeq,
  });
  const entries = page.slice(0, limit);
  if (values['json']) {
    io.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    return 0;
  }
  const total = await deadLetters.count(filter);
  if (entries.length === 0) {
    io.stdout.write(
      `No dead letters${describeFilter(filter)}${fromSeq > 1 ? ` from seq ${fromSeq}` : ''}.\n`,
    );
    return 0;
  }
  io.stdout.write(table(entries));
  const last = entries[entries.length - 1].seq;
  let summary = `${entries.length} of ${total} dead letter${total === 1 ? '' : 's'}${describeFilter(filter)}, oldest first`;
  if (page.length > limit || (limit === MAX_LIST_LIMIT && entries.length === limit)) {
    summary += `; next page: --from ${last + 1}`;
  }
  io.stdout.write(`\n${summary}. Details: npm run dlq -- show <seq>\n`);
  return 0;
}

async function show(deadLetters: DeadLetters, { positionals }: Parsed, io: CliIo): Promise<number> {
  const deadLetter = await deadLetters.show(positiveInteger(positionals[0], '<seq>'));
  io.stdout.write(`${JSON.stringify(deadLetter, null, 2)}\n`);
  return 0;
}

async function replay(
  deadLetters: DeadLetters,
  { positionals }: Parsed,
  io: CliIo,
): Promise<number> {
  const result = await deadLetters.replay(positiveInteger(positionals[0], '<seq>'));
  io.stdout.write(
    `Replayed DLQ seq ${result.dlqSeq} (event ${result.eventId}) to ${result.subject}: stream ${result.stream} seq ${result.seq}` +
      `${result.duplicate ? ' (already stored by an earlier replay; kept once)' : ''}.\n` +
      `Every consumer of ${result.subject} receives it; those that already handled the event skip it.\n`,
  );
  return 0;
}

async function purge(deadLetters: DeadLetters, { values }: Parsed, io: CliIo): Promise<number> {
  const filter = filterOf(values);
  const count = await deadLetters.count(filter);
  const what = `${count} dead letter${count === 1 ? '' : 's'}${describeFilter(filter)}`;
  if (count === 0) {
    io.stdout.write(`Nothing to purge: no dead letters${describeFilter(filter)}.\n`);
    return 0;
  }
  if (!values['yes']) {
    if (!io.stdin.isTTY) {
      throw new UsageError(
        `refusing to purge ${what} without --yes (stdin is not a terminal to confirm on)`,
      );
    }
    if (
      !(await confirm(
        io,
        `Purge ${what} from the DLQ? This cannot be undone. Type "yes" to confirm: `,
      ))
    ) {
      io.stderr.write('Not confirmed; nothing purged.\n');
      return 1;
    }
  }
  const purged = await deadLetters.purge(filter);
  io.stdout.write(
    `Purged ${purged} dead letter${purged === 1 ? '' : 's'}${describeFilter(filter)}.\n`,
  );
  return 0;
}

async function confirm(io: CliIo, question: string): Promise<boolean> {
  const prompt = createInterface({ input: io.stdin, output: io.stderr });
  // Ctrl-C or Ctrl-D at the prompt is a "no", not a process left waiting on a closed input.
  const closed = new Promise<string>((resolve) =>
    prompt.once('close', () => {
      io.stderr.write('\n');
      resolve('');
    }),
  );
  prompt.once('SIGINT', () => prompt.close());
  const answer = await Promise.race([prompt.question(question).catch(() => ''), closed]);
  prompt.removeAllListeners('close');
  prompt.close();
  return answer.trim().toLowerCase() === 'yes';
}

function table(entries: DeadLetterEntry[]): string {
  const header = ['SEQ', 'RECEIVED', 'CONSUMER', 'SUBJECT', 'ATTEMPTS', 'EVENT ID', 'ERROR'];
  const rows = entries.map((entry) => [
    String(entry.seq),
    entry.receivedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    entry.consumer,
    entry.subject,
    String(entry.attempts),
    entry.eventId,
    truncate(entry.error, ERROR_COLUMN_WIDTH),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column])))
        .join('  '),
    )
    .join('\n')
    .concat('\n');
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function filterOf(values: Parsed['values']): DeadLetterFilter {
  const filter: DeadLetterFilter = {};
  if (typeof values['consumer'] === 'string') filter.consumer = values['consumer'];
  if (typeof values['subject'] === 'string') filter.subject = values['subject'];
  return filter;
}

function describeFilter(filter: DeadLetterFilter): string {
  const parts = [
    filter.consumer === undefined ? '' : `consumer ${filter.consumer}`,
    filter.subject === undefined ? '' : `subject ${filter.subject}`,
  ].filter(Boolean);
  return parts.length === 0 ? '' : ` of ${parts.join(', ')}`;
}

function positiveInteger(value: string | boolean | undefined, name: string): number {
  if (
    typeof value !== 'string' ||
    !/^\d+$/.test(value) ||
    !Number.isSafeInteger(Number(value)) ||
    Number(value) < 1
  ) {
    throw new UsageError(`${name} must be a positive integer, got "${String(value)}"`);
  }
  return Number(value);
}

async function connectTo(url: string): Promise<NatsConnection> {
  const servers = url
    .split(',')
    .map((server) => server.trim())
    .filter(Boolean);
  try {
    return await connect({
      servers,
      name: 'switchboard-dlq',
      timeout: CONNECT_TIMEOUT_MS,
      reconnect: false,
      noAsyncTraces: true,
    });
  } catch (error) {
    throw new CliError(`cannot reach NATS at ${url}: ${errorText(error)}`);
  }
}

function describeFailure(error: unknown, io: CliIo): string {
  if (error instanceof CliError) return error.message;
  if (error instanceof DeadLetterError) return `${error.message} [${error.code}]`;
  if (error instanceof NatsError && error.code === '503') {
    const url = io.env['NATS_URL']?.trim() || DEFAULT_NATS_URL;
    return `JetStream is not enabled on the NATS server at ${url} (${errorText(error)})`;
  }
  return errorText(error);
}

function errorText(error: unknown): string {
  if (error instanceof NatsError)
    return `${error.code}${error.message === error.code ? '' : `: ${error.message}`}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

if (require.main === module) {
  void runDlqCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    // A connect attempt that timed out leaves its socket dialling until the OS gives up; the answer
    // is already printed, so do not wait for it.
    setTimeout(() => process.exit(code), 200).unref();
  });
}
