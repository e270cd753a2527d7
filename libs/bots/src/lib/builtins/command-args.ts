/** Longest `/remind` delay: far enough for real use, near enough that a typo is not a lost year. */
export const MAX_REMINDER_DELAY_MS = 30 * 24 * 60 * 60 * 1000;

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `10m`, `2h`, `1d` → milliseconds; null for anything else, zero, or over 30 days. */
export function parseDuration(text: string): number | null {
  const match = /^(\d{1,7})([smhd])$/i.exec(text.trim());
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2].toLowerCase()];
  return ms > 0 && ms <= MAX_REMINDER_DELAY_MS ? ms : null;
}

/** `/remind` arguments: a duration, then the text. */
export function parseReminder(args: string): { delayMs: number; text: string } | null {
  const match = /^(\S+)\s+([\s\S]+)$/.exec(args.trim());
  if (!match) return null;
  const delayMs = parseDuration(match[1]);
  const text = match[2].trim();
  return delayMs === null || text.length === 0 ? null : { delayMs, text };
}

export const POLL_MIN_OPTIONS = 2;
export const POLL_MAX_OPTIONS = 10;

/**
 * `"question" "a" "b"` → question and options. Straight or typographic double quotes (phones type
 * “ ”); nothing but quoted strings and spaces allowed; null when the syntax is off.
 */
export function parsePollArgs(args: string): { question: string; options: string[] } | null {
  const quoted = /\s*(?:"([^"]*)"|“([^”]*)”)\s*/y;
  const parts: string[] = [];
  let position = 0;
  const text = args.trim();
  while (position < text.length) {
    quoted.lastIndex = position;
    const match = quoted.exec(text);
    if (!match) return null;
    parts.push((match[1] ?? match[2]).trim());
    position = quoted.lastIndex;
  }
  if (parts.some((part) => part.length === 0)) return null;
  const [question, ...options] = parts;
  if (question === undefined) return null;
  if (options.length < POLL_MIN_OPTIONS || options.length > POLL_MAX_OPTIONS) return null;
  return { question, options };
}
