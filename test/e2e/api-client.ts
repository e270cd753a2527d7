import { signDevToken } from '@switchboard/platform-auth';
import { TEST_JWT_SECRET, waitFor } from '@switchboard/platform-testing';

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
}

interface Message {
  id: string;
  text: string;
  sender: { kind: string; id: string };
}

/** One user's HTTP session against a running service: JSON in, status + JSON out. */
export class ApiClient {
  private constructor(
    readonly baseUrl: string,
    readonly user: string,
    private readonly token: string,
  ) {}

  static async as(baseUrl: string, user: string): Promise<ApiClient> {
    return new ApiClient(baseUrl, user, await signDevToken(user, TEST_JWT_SECRET));
  }

  /** The same user against another service. */
  on(baseUrl: string): ApiClient {
    return new ApiClient(baseUrl, this.user, this.token);
  }

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<ApiResponse<T>> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /** Like `request`, but any status other than `expected` fails with what the service said. */
  async expect<T = unknown>(
    expected: number,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T> {
    const response = await this.request<T>(method, path, body);
    if (response.status !== expected) {
      throw new Error(
        `${method} ${path} as ${this.user}: expected ${expected}, got ${response.status} ${JSON.stringify(response.body)}`,
      );
    }
    return response.body;
  }

  /** Posts a message in a conversation (chat) and returns it. */
  say(conversationId: string, text: string): Promise<Message> {
    return this.expect<Message>(201, 'POST', `/conversations/${conversationId}/messages`, { text });
  }

  /** Messages of a conversation, newest first (chat). */
  async messages(conversationId: string): Promise<Message[]> {
    const page = await this.expect<{ items: Message[] }>(
      200,
      'GET',
      `/conversations/${conversationId}/messages?limit=100`,
    );
    return page.items;
  }

  /** Waits for a message from `sender` (a bot name) newer than `after`, and returns it. */
  async replyFrom(
    conversationId: string,
    sender: string,
    after: Message,
    timeoutMs = 5_000,
  ): Promise<Message> {
    let reply: Message | undefined;
    await waitFor(
      async () => {
        reply = (await this.messages(conversationId)).find(
          (message) => message.sender.id === sender && message.id > after.id,
        );
        return reply !== undefined;
      },
      { timeoutMs, message: `${sender} did not answer "${after.text}" within ${timeoutMs} ms` },
    );
    return reply as Message;
  }
}
