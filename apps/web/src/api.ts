/** An error answer of the gateway or a service: the platform's envelope `{code, message}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function send<T>(method: string, path: string, token?: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`/api/${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The gateway cannot be reached.');
  }
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON (a proxy's error page): reported below by status.
  }
  if (!response.ok) {
    const envelope = (parsed ?? {}) as { code?: string; message?: string };
    throw new ApiError(
      response.status,
      envelope.code ?? `HTTP_${response.status}`,
      envelope.message ?? `${method} /api/${path} failed with HTTP ${response.status}`,
    );
  }
  return parsed as T;
}

/** `POST /api/dev/token`: a development token for any user id (the gateway refuses it in production). */
export async function devToken(userId: string): Promise<string> {
  const { token } = await send<{ token: string }>('POST', 'dev/token', undefined, { userId });
  return token;
}

/** One user's calls to `/api/<service>/<path>`; a 401 anywhere means the session is over. */
export class Api {
  constructor(
    readonly token: string,
    private readonly onUnauthorized: () => void,
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    try {
      return await send<T>(method, path, this.token, body);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.onUnauthorized();
      throw error;
    }
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }
}
