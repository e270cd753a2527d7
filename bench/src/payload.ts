/**
 * Message body sizes (`--payload`), shared by the RPC and events suites: both carry a chat-like
 * JSON body whose text is padded so the whole body is the size asked for.
 */

/** The body size the suites send unless told otherwise: a short chat message. */
export const DEFAULT_PAYLOAD_BYTES = 128;

const FILLER = 'hello from the benchmark, a message of ordinary length';

const texts = new Map<string, string>();

/**
 * The text that makes a JSON body `payloadBytes` long when the body's other fields, with an empty
 * text, serialise to `envelope` (give it the widest values a run sends, e.g. a 6-digit seq; the
 * body then is a few bytes shorter while the seq has fewer digits): the filler repeated, cut to
 * length, at least one character.
 */
export function paddedText(payloadBytes: number, envelope: string): string {
  const key = `${payloadBytes}:${envelope.length}`;
  let text = texts.get(key);
  if (text === undefined) {
    const length = Math.max(1, payloadBytes - envelope.length);
    text = `${FILLER} `.repeat(Math.ceil(length / (FILLER.length + 1))).slice(0, length);
    texts.set(key, text);
  }
  return text;
}

/** `128 B`, `1 KiB`, `16 KiB`. */
export function bytes(n: number): string {
  return n >= 1_024 && n % 1_024 === 0 ? `${n / 1_024} KiB` : `${n} B`;
}
