// Turns the pino JSON lines the services write into one readable line each:
//   12:01:02 chat  info  [RoutesResolver] Mapped {/conversations, POST} route  trace=4bf92f35
import { style } from './ui.mjs';

const LEVEL_NAMES = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const LEVEL_COLORS = {
  trace: style.gray,
  debug: style.gray,
  info: style.green,
  warn: style.yellow,
  error: style.red,
  fatal: style.red,
};
const NAME_COLORS = [style.cyan, style.magenta, style.yellow, style.blue, style.green];

// Fields every pino line has, or that get their own place in the output.
const STANDARD_FIELDS = new Set([
  'level',
  'time',
  'msg',
  'message',
  'pid',
  'hostname',
  'v',
  'context',
]);
const MAX_EXTRA_FIELDS = 6;
const MAX_VALUE_LENGTH = 60;

/** The colour used for a service's prefix, stable per position in the service list. */
export function nameColor(index) {
  return NAME_COLORS[index % NAME_COLORS.length];
}

export function levelName(level) {
  if (typeof level === 'string') return level;
  if (typeof level !== 'number') return 'info';
  // Custom levels between the standard ones are shown as the standard one below them.
  const known = Object.keys(LEVEL_NAMES)
    .map(Number)
    .filter((value) => value <= level);
  return known.length > 0 ? LEVEL_NAMES[Math.max(...known)] : 'trace';
}

function clock(time) {
  const date = typeof time === 'number' || typeof time === 'string' ? new Date(time) : new Date();
  const valid = Number.isNaN(date.getTime()) ? new Date() : date;
  return valid.toTimeString().slice(0, 8);
}

function truncate(text) {
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}

function scalar(value) {
  if (typeof value === 'string')
    return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  return String(value);
}

/** `key=value` pairs for the fields a line carries besides the standard ones. */
function extras(record, service) {
  const parts = [];
  let skipped = 0;
  for (const [key, value] of Object.entries(record)) {
    if (STANDARD_FIELDS.has(key) || value === undefined) continue;
    if ((key === 'service' || key === 'name') && value === service) continue; // the prefix says it
    const part = formatField(key, value);
    if (part === null) continue;
    if (parts.length < MAX_EXTRA_FIELDS) parts.push(part);
    else skipped++;
  }
  if (skipped > 0) parts.push(`+${skipped} more`);
  return parts;
}

function formatField(key, value) {
  // A trace id is on every line: its first 8 characters are enough to follow one request.
  if (/^trace[_-]?id$/i.test(key) && typeof value === 'string') return `trace=${value.slice(0, 8)}`;
  if (key === 'err' || key === 'error') return errorSummary(value);
  if (key === 'req' && value && typeof value === 'object') {
    return [value.method, value.url].filter(Boolean).join(' ') || null;
  }
  if (key === 'res' && value && typeof value === 'object') {
    return value.statusCode === undefined ? null : `→ ${value.statusCode}`;
  }
  if (key === 'responseTime' && typeof value === 'number') return `${Math.round(value)}ms`;
  if (value === null || typeof value !== 'object') return `${key}=${truncate(scalar(value))}`;
  return `${key}=${truncate(JSON.stringify(value))}`;
}

function errorSummary(err) {
  if (!err || typeof err !== 'object') return `err=${truncate(scalar(err))}`;
  const type = err.type ?? err.name ?? 'Error';
  return `err=${truncate(`${type}: ${err.message ?? ''}`)}`;
}

/** The stack of an error line, indented, shown for error and fatal lines only. */
function stackLines(record, level) {
  const err = record.err ?? record.error;
  if ((level !== 'error' && level !== 'fatal') || !err || typeof err.stack !== 'string') return [];
  return err.stack
    .split('\n')
    .slice(1)
    .map((line) => `    ${style.dim(line.trim())}`);
}

function parse(line) {
  if (!line.startsWith('{')) return null;
  try {
    const record = JSON.parse(line);
    return record && typeof record === 'object' && 'level' in record ? record : null;
  } catch {
    return null;
  }
}

/**
 * Formats one output line of `service`. `prefix` is the (padded, coloured) service name.
 * Lines that are not pino JSON are printed as they are, after the prefix.
 */
export function formatLogLine(prefix, line, service) {
  const record = parse(line);
  // Not JSON (a crash before the logger exists, a library printing directly): as it is, aligned.
  if (record === null) return `${style.dim(clock())} ${prefix} ${' '.repeat(5)} ${line}`;

  const level = levelName(record.level);
  const context = typeof record.context === 'string' ? `${style.dim(`[${record.context}]`)} ` : '';
  const message = record.msg ?? record.message ?? '';
  const fields = extras(record, service);
  const head = [
    style.dim(clock(record.time)),
    prefix,
    (LEVEL_COLORS[level] ?? ((text) => text))(level.padEnd(5)),
    `${context}${typeof message === 'string' ? message : JSON.stringify(message)}`,
  ].join(' ');
  const tail = fields.length > 0 ? `  ${style.gray(fields.join(' '))}` : '';
  return [head + tail, ...stackLines(record, level)].join('\n');
}
