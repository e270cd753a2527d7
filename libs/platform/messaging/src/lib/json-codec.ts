const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Bodies on the wire are plain UTF-8 JSON so any NATS client can read and write them. */
export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export type DecodedJson = { ok: true; value: unknown } | { ok: false; error: string };

export function decodeJson(data: Uint8Array): DecodedJson {
  const text = decoder.decode(data);
  if (text.length === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
