import { Api, ApiError } from './api';
import { CallSession } from './call-session';
import { h, mount } from './dom';
import { type ConnectionStatus, FrameRefused, Realtime } from './realtime';
import {
  type Call,
  type CallSignal,
  type Conversation,
  type ConversationSummary,
  type FeedGroup,
  type Message,
  type MyStory,
  type Receipt,
  type ServerFrame,
  type Signal,
} from './types';
import { renderCallPanel } from './views/call-panel';
import { ConversationPane } from './views/conversation-pane';
import { renderConversationList, sidebarForms } from './views/conversation-list';
import { StoriesStrip, StoryViewer } from './views/stories';
import { header, renderStatus } from './views/header';

type Part = 'list' | 'pane' | 'stories' | 'call' | 'status';

/** Subjects of the events the client reacts to (libs/contracts). */
const Subjects = {
  messageCreated: 'evt.chat.message.created.v1',
  messageEdited: 'evt.chat.message.edited.v1',
  messageDeleted: 'evt.chat.message.deleted.v1',
  conversationCreated: 'evt.chat.conversation.created.v1',
  receiptUpdated: 'evt.chat.receipt.updated.v1',
  callSignal: 'push.calls.signal.v1',
} as const;

/**
 * The signed-in client: the state it shows, loaded over HTTP and kept current by `/ws`, and the
 * actions the views call. Each part of the screen re-renders from this state when it changes.
 */
export class App {
  readonly api: Api;
  readonly conversations = new Map<string, ConversationSummary>();
  openId: string | undefined;
  /** The open conversation's messages, oldest first. */
  messages: Message[] = [];
  /** The open conversation's receipts by user. */
  readonly receipts = new Map<string, Receipt>();
  feed: FeedGroup[] = [];
  feedNote: string | undefined;
  myStories: MyStory[] = [];
  call: CallSession | undefined;
  status: { state: ConnectionStatus; detail: string } = { state: 'connecting', detail: '' };

  private readonly realtime: Realtime;
  private readonly dirty = new Set<Part>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly el: Record<Part | 'toasts', HTMLElement>;
  private readonly pane: ConversationPane;
  private readonly viewer: StoryViewer;
  private readonly strip: StoriesStrip;
  private stopped = false;
  private storiesTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly me: string,
    token: string,
    private readonly root: HTMLElement,
    private readonly signedOut: (reason?: string) => void,
  ) {
    this.api = new Api(token, () => this.signOut('Your session expired: sign in again.'));
    this.realtime = new Realtime(
      token,
      {
        frame: (frame) => this.onFrame(frame),
        ready: (resumed) => {
          if (!resumed) void this.loadAll();
        },
        reset: () => void this.loadAll(),
        status: (state, detail) => {
          this.status = { state, detail };
          this.render('status');
        },
        expired: () => this.signOut('Your session expired: sign in again.'),
      },
      () => this.tokenStillValid(),
    );
    this.pane = new ConversationPane(this);
    this.viewer = new StoryViewer(this);
    this.strip = new StoriesStrip(this);
    this.el = {
      status: h('span', { class: 'status', testid: 'connection-status' }),
      stories: this.strip.element,
      list: h('ul', { class: 'conversation-list', testid: 'conversation-list' }),
      pane: this.pane.element,
      call: h('aside', { class: 'call-panel', testid: 'call-panel', hidden: true }),
      toasts: h('div', { class: 'toasts', 'aria-live': 'polite' }),
    };
  }

  start(): void {
    mount(
      this.root,
      h(
        'div',
        { class: 'shell' },
        header(this, this.el.status),
        this.el.stories,
        h(
          'div',
          { class: 'main' },
          h('aside', { class: 'sidebar' }, sidebarForms(this), this.el.list),
          this.el.pane,
        ),
        this.el.call,
        this.el.toasts,
        this.viewer.element,
      ),
    );
    for (const part of ['list', 'pane', 'stories', 'call', 'status'] as const) this.render(part);
    // State is loaded now and again on the socket's first `ready`, which closes the gap between
    // this snapshot and the start of the live feed; the HTTP parts work without the socket.
    void this.loadAll();
    this.realtime.start();
    // A story is announced to the author's contacts as stories knew them (cached up to 30 s), so
    // someone who just became a contact learns of it only from the feed: read it now and then.
    this.storiesTimer = setInterval(() => void this.loadStories(), 30_000);
  }

  signOut(reason?: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.realtime.stop();
    clearInterval(this.storiesTimer);
    this.call?.close();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.signedOut(reason);
  }

  // ── rendering ──────────────────────────────────────────────────────────────────────────────────

  render(part: Part): void {
    if (this.dirty.size === 0) queueMicrotask(() => this.flush());
    this.dirty.add(part);
  }

  private flush(): void {
    if (this.stopped) return;
    const parts = [...this.dirty];
    this.dirty.clear();
    for (const part of parts) {
      if (part === 'list') renderConversationList(this.el.list, this);
      if (part === 'pane') this.pane.render();
      if (part === 'stories') this.strip.render();
      if (part === 'call') renderCallPanel(this.el.call, this);
      if (part === 'status') renderStatus(this.el.status, this.status);
    }
  }

  toast(text: string, kind: 'info' | 'error' = 'info'): void {
    const toast = h('div', { class: `toast ${kind}`, testid: 'toast', role: 'status' }, text);
    this.el.toasts.appendChild(toast);
    setTimeout(() => toast.remove(), kind === 'error' ? 6_000 : 3_500);
  }

  /** Runs an action; its failure is shown as a toast rather than lost. */
  async attempt<T>(what: string, action: () => Promise<T>): Promise<T | undefined> {
    try {
      return await action();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) {
        this.toast(`${what}: ${error instanceof Error ? error.message : String(error)}`, 'error');
      }
      return undefined;
    }
  }

  /** Runs `task` once after `ms`, however often it is asked for meanwhile. */
  private soon(key: string, ms: number, task: () => void): void {
    if (this.timers.has(key)) return;
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (!this.stopped) task();
      }, ms),
    );
  }

  // ── loading ────────────────────────────────────────────────────────────────────────────────────

  private async loadAll(): Promise<void> {
    await Promise.all([
      this.attempt('Loading conversations', () => this.loadConversations()),
      this.loadStories(),
      this.openId ? this.loadOpenConversation(this.openId) : undefined,
      this.attempt('Loading calls', () => this.loadCall()),
    ]);
  }

  private async loadConversations(): Promise<void> {
    const page = await this.api.get<{ items: ConversationSummary[] }>(
      'chat/conversations?limit=100',
    );
    this.conversations.clear();
    for (const item of page.items) this.conversations.set(item.id, item);
    this.render('list');
    this.render('pane');
  }

  async loadStories(): Promise<void> {
    const [feed, mine] = await Promise.all([
      this.api
        .get<{ items: FeedGroup[]; contactsStale: boolean }>('stories/feed')
        .catch((error: unknown) => {
          this.feedNote = error instanceof ApiError ? error.message : 'Stories are unavailable.';
          return undefined;
        }),
      this.api.get<{ items: MyStory[] }>('stories/me/stories').catch(() => undefined),
    ]);
    if (feed) {
      this.feed = feed.items;
      this.feedNote = feed.contactsStale ? 'Contacts may be out of date.' : undefined;
    }
    if (mine) this.myStories = mine.items;
    this.render('stories');
    this.viewer.refresh();
  }

  /** A call still ringing or running (after a reload of the page, or while the socket was down). */
  private async loadCall(): Promise<void> {
    if (this.call && !this.call.isOver) {
      this.call.update(await this.api.get<Call>(`calls/calls/${this.call.call.id}`));
      return;
    }
    const page = await this.api.get<{ items: Call[] }>('calls/calls?limit=5');
    const live = page.items.find(
      (call) =>
        (call.state === 'ringing' && call.callerId !== this.me) ||
        (call.state === 'active' && (call.callerId === this.me || call.acceptedBy === this.me)),
    );
    if (live && !this.call) this.showCall(live);
  }

  // ── conversations and messages ─────────────────────────────────────────────────────────────────

  get open(): ConversationSummary | undefined {
    return this.openId === undefined ? undefined : this.conversations.get(this.openId);
  }

  /** Conversations, most recent activity first (ids are UUIDv7: they sort by time). */
  sortedConversations(): ConversationSummary[] {
    const key = (item: ConversationSummary) => item.lastMessage?.id ?? item.id;
    return [...this.conversations.values()].sort((a, b) => (key(a) < key(b) ? 1 : -1));
  }

  titleOf(conversation: Conversation): string {
    if (conversation.kind === 'group') return conversation.title ?? 'Group';
    return conversation.members.find((member) => member.userId !== this.me)?.userId ?? 'Direct';
  }

  isMine(message: Message): boolean {
    return message.sender.kind === 'user' && message.sender.id === this.me;
  }

  async openConversation(id: string): Promise<void> {
    if (this.openId === id) return;
    this.openId = id;
    this.messages = [];
    this.receipts.clear();
    this.render('pane');
    this.render('list');
    await this.loadOpenConversation(id);
  }

  private async loadOpenConversation(id: string): Promise<void> {
    const loaded = await this.attempt('Loading messages', () =>
      Promise.all([
        this.api.get<{ items: Message[] }>(`chat/conversations/${id}/messages?limit=50`),
        this.api.get<{ items: Receipt[] }>(`chat/conversations/${id}/receipts`),
      ]),
    );
    if (!loaded || this.openId !== id) return;
    const [page, receipts] = loaded;
    // Newest first from the API; messages that arrived live meanwhile are kept.
    for (const message of page.items) this.upsertMessage(message);
    for (const receipt of receipts.items) this.receipts.set(receipt.userId, receipt);
    this.render('pane');
    this.markReadSoon();
  }

  private upsertMessage(message: Message): void {
    const index = this.messages.findIndex((known) => known.id === message.id);
    if (index >= 0) {
      this.messages[index] = message;
      return;
    }
    this.messages.push(message);
    this.messages.sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  async startDirect(userId: string): Promise<boolean> {
    const conversation = await this.attempt('Starting the chat', () =>
      this.api.post<Conversation>('chat/conversations', { kind: 'direct', userId }),
    );
    if (!conversation) return false;
    this.addConversation(conversation);
    await this.openConversation(conversation.id);
    return true;
  }

  async createGroup(title: string, memberIds: string[]): Promise<boolean> {
    const conversation = await this.attempt('Creating the group', () =>
      this.api.post<Conversation>('chat/conversations', { kind: 'group', title, memberIds }),
    );
    if (!conversation) return false;
    this.addConversation(conversation);
    await this.openConversation(conversation.id);
    return true;
  }

  private addConversation(conversation: Conversation): void {
    const known = this.conversations.get(conversation.id);
    this.conversations.set(conversation.id, {
      ...conversation,
      lastMessage: known?.lastMessage ?? null,
      unreadCount: known?.unreadCount ?? 0,
    });
    this.render('list');
  }

  async send(text: string): Promise<boolean> {
    const id = this.openId;
    if (id === undefined) return false;
    const message = await this.attempt('Sending', () =>
      this.api.post<Message>(`chat/conversations/${id}/messages`, {
        text,
        clientMessageId: `web-${randomId()}`,
      }),
    );
    if (!message) return false;
    this.onMessage(message, true);
    return true;
  }

  /** Moves my receipt to the newest message of the open conversation. */
  private markReadSoon(): void {
    this.soon('read', 150, () => {
      const id = this.openId;
      const newest = this.messages.at(-1);
      if (id === undefined || newest === undefined) return;
      const mine = this.receipts.get(this.me)?.lastReadMessageId;
      const summary = this.conversations.get(id);
      if (mine && mine >= newest.id && summary?.unreadCount === 0) return;
      void this.attempt('Marking read', async () => {
        const result = await this.api.post<{ receipt: Receipt; unreadCount: number }>(
          `chat/conversations/${id}/read`,
          { messageId: newest.id },
        );
        this.receipts.set(this.me, result.receipt);
        const current = this.conversations.get(id);
        if (current) current.unreadCount = result.unreadCount;
        this.render('list');
      });
    });
  }

  private onMessage(message: Message, created: boolean): void {
    const summary = this.conversations.get(message.conversationId);
    if (summary === undefined) {
      this.soon(
        'conversations',
        100,
        () => void this.attempt('Loading conversations', () => this.loadConversations()),
      );
      return;
    }
    const newer = summary.lastMessage === null || message.id > summary.lastMessage.id;
    if (newer || summary.lastMessage?.id === message.id) summary.lastMessage = message;
    if (this.openId === message.conversationId) {
      this.upsertMessage(message);
      if (created && !this.isMine(message)) this.markReadSoon();
      this.render('pane');
    } else if (created && newer && !this.isMine(message) && message.deletedAt === null) {
      summary.unreadCount++;
    }
    this.render('list');
  }

  private onReceipt(receipt: Receipt & { conversationId: string }): void {
    if (receipt.conversationId === this.openId) {
      const known = this.receipts.get(receipt.userId)?.lastReadMessageId;
      if (!known || (receipt.lastReadMessageId !== null && receipt.lastReadMessageId > known)) {
        this.receipts.set(receipt.userId, receipt);
        this.render('pane');
      }
    }
    const summary = this.conversations.get(receipt.conversationId);
    if (receipt.userId === this.me && summary?.lastMessage && receipt.lastReadMessageId !== null) {
      // Read on another device: nothing newer than that receipt is unread any more.
      if (receipt.lastReadMessageId >= summary.lastMessage.id) summary.unreadCount = 0;
      this.render('list');
    }
  }

  // ── realtime ───────────────────────────────────────────────────────────────────────────────────

  private onFrame(frame: Extract<ServerFrame, { type: 'event' | 'push' }>): void {
    if (frame.type === 'push') {
      if (frame.subject.startsWith(Subjects.callSignal)) this.onSignal(frame.data);
      return;
    }
    const data = frame.data as Record<string, unknown>;
    const subject = frame.subject;
    if (subject === Subjects.messageCreated) this.onMessage(data['message'] as Message, true);
    else if (subject === Subjects.messageEdited || subject === Subjects.messageDeleted) {
      this.onMessage(data['message'] as Message, false);
    } else if (subject === Subjects.conversationCreated) {
      this.addConversation(data['conversation'] as Conversation);
    } else if (subject === Subjects.receiptUpdated) {
      this.onReceipt(data as unknown as Receipt & { conversationId: string });
    } else if (subject.startsWith('evt.chat.member.')) {
      // Members changed (added, removed, a role): the list has them all; reload it.
      this.soon(
        'conversations',
        100,
        () => void this.attempt('Loading conversations', () => this.loadConversations()),
      );
    } else if (subject.startsWith('evt.calls.call.')) {
      this.onCall(data['call'] as Call);
    } else if (subject.startsWith('evt.stories.story.')) {
      this.soon('stories', 100, () => void this.loadStories());
    }
  }

  private async tokenStillValid(): Promise<boolean> {
    try {
      await this.api.get('chat/conversations?limit=1');
      return true;
    } catch (error) {
      return !(error instanceof ApiError && error.status === 401);
    }
  }

  // ── calls ──────────────────────────────────────────────────────────────────────────────────────

  private showCall(call: Call): void {
    this.call?.close();
    this.call = new CallSession(
      call,
      this.me,
      (id, to, signal) => this.sendSignal(id, to, signal),
      () => this.render('call'),
    );
    this.render('call');
    this.render('pane');
  }

  private onCall(call: Call): void {
    if (this.call && this.call.call.id === call.id) {
      this.call.update(call);
      this.render('pane');
      return;
    }
    const ringsMe =
      call.state === 'ringing' && call.callerId !== this.me && call.inviteeIds.includes(this.me);
    if (ringsMe && (!this.call || this.call.isOver)) this.showCall(call);
  }

  private onSignal(signal: CallSignal): void {
    if (this.call && this.call.call.id === signal.callId) {
      void this.call.receive(signal.fromUserId, signal.signal);
    }
  }

  /** Over the socket when it is open (acked by the gateway), else over HTTP. */
  private async sendSignal(callId: string, toUserId: string, signal: Signal): Promise<void> {
    if (this.realtime.open) {
      try {
        await this.realtime.sendSignal(callId, toUserId, signal);
        return;
      } catch (error) {
        if (error instanceof FrameRefused) throw error;
        // The socket went away before the ack: the HTTP route applies the same rules.
      }
    }
    await this.api.post(`calls/calls/${callId}/signal`, { toUserId, signal });
  }

  async startCall(): Promise<void> {
    const conversationId = this.openId;
    if (conversationId === undefined) return;
    const call = await this.attempt('Calling', () =>
      this.api.post<Call>('calls/calls', { conversationId }),
    );
    if (call) this.showCall(call);
  }

  async answerCall(verb: 'accept' | 'decline' | 'cancel' | 'hangup'): Promise<void> {
    const session = this.call;
    if (!session) return;
    const call = await this.attempt(`Call: ${verb}`, () =>
      this.api.post<Call>(`calls/calls/${session.call.id}/${verb}`),
    );
    if (!call) return;
    session.update(call);
    // Declining a group call leaves it ringing for the others; it is over for me.
    if (verb === 'decline' && call.state === 'ringing') this.dismissCall();
    this.render('pane');
  }

  dismissCall(): void {
    this.call?.close();
    this.call = undefined;
    this.render('call');
    this.render('pane');
  }

  // ── stories ────────────────────────────────────────────────────────────────────────────────────

  async postStory(text: string): Promise<boolean> {
    const story = await this.attempt('Posting the story', () =>
      this.api.post('stories/stories', { text }),
    );
    if (!story) return false;
    this.toast('Story posted: your contacts see it for 24 h.');
    await this.loadStories();
    return true;
  }

  openStories(authorId: string): void {
    this.viewer.open(authorId);
  }

  async markViewed(storyId: string): Promise<void> {
    await this.api.post(`stories/stories/${storyId}/views`).catch(() => undefined);
  }

  async replyToStory(storyId: string, authorId: string, text: string): Promise<boolean> {
    const reply = await this.attempt('Replying', () =>
      this.api.post(`stories/stories/${storyId}/replies`, { text }),
    );
    if (!reply) return false;
    this.toast(`Reply sent to your chat with ${authorId}.`);
    return true;
  }
}

/** 16 random bytes as hex: `crypto.randomUUID` needs a secure context, this does not. */
function randomId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) =>
    byte.toString(16).padStart(2, '0'),
  ).join('');
}
