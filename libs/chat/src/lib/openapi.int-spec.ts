import { ChatHarness } from './testing/chat-test-harness';

interface Operation {
  responses: Record<
    string,
    { description: string; content?: { 'application/json': { schema: Record<string, unknown> } } }
  >;
}

describe('OpenAPI document of chat (real Postgres + nats-server)', () => {
  const chat = new ChatHarness();
  let paths: Record<string, Record<string, Operation>>;

  beforeAll(async () => {
    await chat.start();
    paths = (await chat.http().get('/docs/openapi.json').expect(200)).body.paths;
  });
  afterAll(() => chat.stop());

  const operations = () =>
    Object.entries(paths)
      .filter(([path]) => path.startsWith('/conversations'))
      .flatMap(([path, byMethod]) =>
        Object.entries(byMethod).map(([method, operation]) => ({ path, method, operation })),
      );

  it('lists every chat route', () => {
    expect(
      operations()
        .map(({ method, path }) => `${method.toUpperCase()} ${path}`)
        .sort(),
    ).toEqual([
      'DELETE /conversations/{id}/members/{userId}',
      'DELETE /conversations/{id}/messages/{messageId}',
      'GET /conversations',
      'GET /conversations/{id}',
      'GET /conversations/{id}/messages',
      'GET /conversations/{id}/receipts',
      'PATCH /conversations/{id}/members/{userId}',
      'PATCH /conversations/{id}/messages/{messageId}',
      'POST /conversations',
      'POST /conversations/{id}/leave',
      'POST /conversations/{id}/members',
      'POST /conversations/{id}/messages',
      'POST /conversations/{id}/read',
    ]);
  });

  it('documents the success responses of every route, with a body schema unless 204', () => {
    for (const { path, method, operation } of operations()) {
      const successes = Object.entries(operation.responses).filter(([status]) =>
        status.startsWith('2'),
      );
      expect({ path, method, documented: successes.length > 0 }).toEqual({
        path,
        method,
        documented: true,
      });
      for (const [status, response] of successes) {
        expect(response.description).not.toMatch(/not documented/);
        expect(response.content === undefined).toBe(status === '204');
      }
    }
  });

  it('names the domain error codes a route can answer', () => {
    const addMembers = paths['/conversations/{id}/members']?.['post']?.responses;
    expect(addMembers?.['403']?.description).toContain('CHAT.NOT_AN_ADMIN');
    expect(addMembers?.['404']?.description).toContain('CHAT.CONVERSATION_NOT_FOUND');
    expect(addMembers?.['409']?.description).toContain('CHAT.TOO_MANY_MEMBERS');
    const edit = paths['/conversations/{id}/messages/{messageId}']?.['patch']?.responses;
    expect(edit?.['409']?.description).toContain('CHAT.MESSAGE_DELETED');
  });

  it('describes the conversation page', () => {
    const page = paths['/conversations']?.['get']?.responses['200']?.content?.['application/json']
      .schema as { required: string[]; properties: { items: { items: { required: string[] } } } };
    expect(page.required).toEqual(['items', 'nextCursor']);
    expect(page.properties.items.items.required).toEqual(
      expect.arrayContaining(['id', 'kind', 'members', 'lastMessage', 'unreadCount']),
    );
  });
});
