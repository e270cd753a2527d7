/**
 * Where a service's database lives, as read from `DATABASE_URL`.
 *
 * - `postgres`: a `postgres://…` or `postgresql://…` connection URL, passed to `pg` unchanged.
 * - `sqlite`: a file path (relative paths resolve against the working directory) or `:memory:`.
 */
export type DatabaseTarget = { kind: 'postgres'; url: string } | { kind: 'sqlite'; path: string };

const SQLITE_PREFIX = 'sqlite:';
const EXPECTED = 'expected postgres://…, postgresql://… or sqlite:<path>';

/**
 * Reads a `DATABASE_URL` value.
 *
 * Accepted forms: `postgres://user@host:5432/db`, `postgresql://…`, `sqlite:<path>` (for example
 * `sqlite:.switchboard/data/chat.sqlite`) and `sqlite::memory:`.
 *
 * The error messages never repeat the value itself, because a Postgres URL may carry a password and
 * boot errors end up in logs. They are phrased to follow the key name (`DATABASE_URL: <message>`).
 *
 * @throws Error when the value is none of the accepted forms.
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  const value = url.trim();
  if (value.length === 0) {
    throw new Error(`is empty; ${EXPECTED}`);
  }

  if (value.startsWith(SQLITE_PREFIX)) {
    const path = value.slice(SQLITE_PREFIX.length);
    if (path.length === 0) {
      throw new Error(
        'has an empty path; use sqlite:<path> (e.g. sqlite:data/app.sqlite) or sqlite::memory:',
      );
    }
    // `sqlite://x` reads as a URL, and URL dialects disagree on whether `x` is a host or a relative
    // path; refusing it is kinder than guessing which file the operator meant.
    if (path.startsWith('//')) {
      throw new Error(
        'uses sqlite://…; write sqlite:<path> instead (e.g. sqlite:/var/lib/app.sqlite)',
      );
    }
    return { kind: 'sqlite', path };
  }

  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    throw new Error(`is not a database URL; ${EXPECTED}`);
  }
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    throw new Error(`uses unsupported scheme "${scheme}:"; ${EXPECTED}`);
  }

  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new Error(`is not a valid ${scheme}:// URL; ${EXPECTED}`);
  }
  if (!value.slice(scheme.length + 1).startsWith('//')) {
    throw new Error(`must start with ${scheme}:// (e.g. ${scheme}://user@host:5432/database)`);
  }
  if (parsed.hostname.length === 0 && !parsed.searchParams.has('host')) {
    throw new Error(`names no host (e.g. ${scheme}://user@host:5432/database)`);
  }
  return { kind: 'postgres', url: value };
}
