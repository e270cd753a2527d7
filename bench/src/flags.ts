/** Parsing of the suites' numeric and list flags: a bad value throws naming the flag. */

export function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function positiveInteger(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`${flag}: expected a positive integer, got "${value}"`);
  return n;
}

export function positiveNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`${flag}: expected a positive number, got "${value}"`);
  return n;
}

export function nonNegativeInteger(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${flag}: expected an integer >= 0, got "${value}"`);
  return n;
}

export function nonNegativeNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new Error(`${flag}: expected a number >= 0, got "${value}"`);
  return n;
}

/** A message body size: at least a JSON envelope's worth, at most 1 MiB (NATS's default max_payload). */
export function payloadBytes(flag: string, value: string): number {
  const n = positiveInteger(flag, value);
  if (n < 64 || n > 1_048_576)
    throw new Error(`${flag}: a body size from 64 to 1048576 bytes, got "${value}"`);
  return n;
}
