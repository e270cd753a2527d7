import {
  createTestEnvironment,
  type ServiceProcess,
  type TestEnvironment,
} from '@switchboard/platform-testing';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { startService, workspaceRoot } from '../e2e/services';

/** Debian's Chromium; `npx playwright install` cannot download a browser here. */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARTIFACTS = join(workspaceRoot, 'dist', 'test-artifacts', 'browser');
/** Long enough for an event to go outbox → JetStream → gateway → socket on a busy 2-core machine. */
const LIVE_MS = 15_000;
/** One step of the scenario: a few live round trips. */
const STEP_MS = 60_000;

interface User {
  name: string;
  page: Page;
  /** Uncaught errors and console errors of the page: the client must have none. */
  errors: string[];
}

/**
 * The demo web client, served by the gateway at `/`, driven in Chromium by two people at once
 * against the real stack: chat, stories, calls and bots as processes on their own databases, the
 * gateway in front, events reaching each browser over `/ws`.
 */
describe('demo web client in a browser (alice and bob)', () => {
  let env: TestEnvironment;
  let services: ServiceProcess[] = [];
  let gateway: ServiceProcess;
  let browser: Browser;
  let alice: User;
  let bob: User;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}: install it with \`apt-get install chromium\` ` +
          '(Debian; .ci/run does this) or set CHROMIUM_PATH to a Chromium or Chrome binary.',
      );
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    env = await createTestEnvironment(['chat', 'stories', 'calls', 'bots', 'gateway']);
    services = await Promise.all([
      startService(env, 'chat'),
      // Stories caches each user's contacts (30 s by default): without that, alice and bob, who
      // became contacts a moment ago, would see each other's stories only half a minute later.
      startService(env, 'stories', { STORIES_CONTACTS_CACHE_SECONDS: '0' }),
      startService(env, 'calls'),
      startService(env, 'bots'),
    ]);
    const upstreams = services.map((service) => `${service.name}=${service.url}`).join(',');
    // The gateway serves the client from dist/services/gateway/web, as a deployment does.
    gateway = await startService(env, 'gateway', { GATEWAY_UPSTREAMS: upstreams });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    [alice, bob] = await Promise.all(['alice', 'bob'].map((name) => open(name)));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    const codes = await Promise.all([gateway, ...services].map((service) => service?.stop()));
    await env?.stop();
    expect(codes.filter((code) => code !== undefined)).toEqual([0, 0, 0, 0, 0]);
  }, 60_000);

  afterEach(async () => {
    // Whatever step failed, the screens at that moment are kept for whoever reads the failure.
    const name = expect.getState().currentTestName ?? 'step';
    if (alice && bob) await snapshot(slug(name));
  }, 20_000);

  async function open(name: string): Promise<User> {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(LIVE_MS);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`${name}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`${name} console: ${message.text()}`);
    });
    await page.goto(gateway.url);
    return { name, page, errors };
  }

  let shot = 0;
  async function snapshot(step: string): Promise<void> {
    shot++;
    const prefix = String(shot).padStart(2, '0');
    await Promise.all(
      [alice, bob].map((user) =>
        user.page
          .screenshot({ path: join(ARTIFACTS, `${prefix}-${step}-${user.name}.png`) })
          .catch(() => undefined),
      ),
    );
  }

  const conversationWith = (user: User, title: string): Locator =>
    user.page.locator(`[data-testid="conversation"][data-title="${title}"]`);

  const lastMessageFrom = (user: User, sender: string): Locator =>
    user.page.locator(`[data-testid="message"][data-sender="${sender}"]`).last();

  const signal = (user: User, kind: string): Locator =>
    user.page.locator(`[data-testid="signal-entry"][data-kind="${kind}"]`);

  it(
    'signs alice and bob in with development tokens, each with a live socket',
    async () => {
      for (const user of [alice, bob]) {
        await user.page.getByTestId('sign-in-user').fill(user.name);
        await user.page.getByTestId('sign-in-submit').click();
        await expect(text(user.page.getByTestId('signed-in-as'))).resolves.toBe(user.name);
      }
      for (const user of [alice, bob]) {
        await user.page.locator('[data-testid="connection-status"][data-state="live"]').waitFor();
      }
    },
    STEP_MS,
  );

  it(
    'alice starts a direct conversation with bob; bob sees her message arrive, unread',
    async () => {
      await alice.page.getByTestId('new-chat-user').fill('bob');
      await alice.page.getByTestId('new-chat-submit').click();
      await expect(text(alice.page.getByTestId('conversation-title'))).resolves.toBe('bob');
      // Bob learns of the conversation from the socket alone: his page is never reloaded.
      await conversationWith(bob, 'alice').waitFor();

      await alice.page.getByTestId('composer-input').fill('Hi Bob 👋');
      await alice.page.getByTestId('composer-send').click();
      await expect(text(lastMessageFrom(alice, 'alice').getByTestId('message-text'))).resolves.toBe(
        'Hi Bob 👋',
      );

      const row = conversationWith(bob, 'alice');
      await row.getByTestId('unread-count').filter({ hasText: '1' }).waitFor();
      await row.getByTestId('conversation-preview').filter({ hasText: 'Hi Bob 👋' }).waitFor();
      await expect(text(lastMessageFrom(alice, 'alice').getByTestId('receipt'))).resolves.toBe(
        '✓ Sent',
      );
    },
    STEP_MS,
  );

  it(
    'bob opens it: his unread count clears and alice sees the read receipt',
    async () => {
      await conversationWith(bob, 'alice').click();
      await expect(text(lastMessageFrom(bob, 'alice').getByTestId('message-text'))).resolves.toBe(
        'Hi Bob 👋',
      );
      await conversationWith(bob, 'alice').getByTestId('unread-count').waitFor({ state: 'hidden' });
      await lastMessageFrom(alice, 'alice')
        .getByTestId('receipt')
        .filter({ hasText: 'Read by bob' })
        .waitFor();

      // While it is open, bob's new messages reach alice live, and alice's reach him read at once.
      await bob.page.getByTestId('composer-input').fill('Hey Alice!');
      await bob.page.getByTestId('composer-send').click();
      await lastMessageFrom(alice, 'bob')
        .getByTestId('message-text')
        .filter({ hasText: 'Hey Alice!' })
        .waitFor();
    },
    STEP_MS,
  );

  it(
    'the echo bot answers /echo hello in the conversation, seen by both',
    async () => {
      await alice.page.getByTestId('composer-input').fill('/echo hello');
      await alice.page.getByTestId('composer-send').click();
      for (const user of [alice, bob]) {
        const reply = lastMessageFrom(user, 'echo-bot');
        await expect(text(reply.getByTestId('message-text'))).resolves.toBe('hello');
        await expect(reply.getAttribute('data-sender-kind')).resolves.toBe('bot');
      }
    },
    STEP_MS,
  );

  it(
    'bob posts a text story; it appears in alice’s stories strip and she can open it',
    async () => {
      await bob.page.getByTestId('story-text').fill('Sunset at the pier');
      await bob.page.getByTestId('story-post').click();
      await bob.page.getByTestId('my-stories').filter({ hasText: 'You · 1' }).waitFor();

      const story = alice.page.locator('[data-testid="story-author"][data-author="bob"]');
      await story.waitFor();
      await expect(story.getAttribute('data-unseen')).resolves.toBe('true');
      await story.click();
      await expect(text(alice.page.getByTestId('story-body'))).resolves.toBe('Sunset at the pier');
      await snapshot('story-open');
      await alice.page.getByTestId('story-close').click();
      await alice.page.getByTestId('story-viewer').waitFor({ state: 'hidden' });
      await alice.page
        .locator('[data-testid="story-author"][data-author="bob"][data-unseen="false"]')
        .waitFor();
    },
    STEP_MS,
  );

  it(
    'alice calls bob: it rings for him, he accepts, and both see the offer/answer exchange',
    async () => {
      await alice.page.getByTestId('call-start').click();
      await expect(text(alice.page.getByTestId('call-state'))).resolves.toBe('ringing');

      // Bob's phone rings from the `call.started` event.
      await bob.page
        .getByTestId('call-title')
        .filter({ hasText: 'alice is calling you' })
        .waitFor();
      await expect(text(bob.page.getByTestId('call-state'))).resolves.toBe('ringing');
      await snapshot('call-ringing');
      await bob.page.getByTestId('call-accept').click();

      for (const user of [alice, bob]) {
        await user.page.getByTestId('call-state').filter({ hasText: 'active' }).waitFor();
      }
      // The caller offers once the call is accepted; the one who accepted answers.
      await signal(alice, 'offer:out').waitFor();
      await signal(bob, 'offer:in').waitFor();
      await signal(bob, 'answer:out').waitFor();
      await signal(alice, 'answer:in').waitFor();
      await expect(text(alice.page.getByTestId('call-title'))).resolves.toBe('In a call with bob');
      await snapshot('call-active');
      const log = await alice.page.getByTestId('signal-log').innerText();
      expect(log).toMatch(/→ offer to bob \(\d+ SDP lines\)/);
      expect(log).toMatch(/← answer from bob \(\d+ SDP lines\)/);
    },
    STEP_MS,
  );

  it(
    'bob hangs up: the call is ended on both sides and chat notes it in the conversation',
    async () => {
      await bob.page.getByTestId('call-hangup').click();
      for (const user of [alice, bob]) {
        await user.page.getByTestId('call-state').filter({ hasText: 'ended' }).waitFor();
        await user.page
          .getByTestId('call-title')
          .filter({ hasText: /^Call ended/ })
          .waitFor();
      }
      await lastMessageFrom(alice, 'calls')
        .getByTestId('message-text')
        .filter({ hasText: /^Call ended/ })
        .waitFor();
      await alice.page.getByTestId('call-dismiss').click();
      await alice.page.getByTestId('call-panel').waitFor({ state: 'hidden' });
    },
    STEP_MS,
  );

  it('left no error in either page', () => {
    expect([...alice.errors, ...bob.errors]).toEqual([]);
  });
});

async function text(locator: Locator): Promise<string> {
  await locator.waitFor();
  return ((await locator.textContent()) ?? '').trim();
}

function slug(name: string): string {
  return name
    .replace(/^.*?\) /, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}
