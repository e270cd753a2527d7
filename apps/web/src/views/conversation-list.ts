import { type App } from '../app';
import { avatar, h, mount, timeOf } from '../dom';
import { type ConversationSummary, type Message } from '../types';

const USER_ID = /^[A-Za-z0-9._@-]{1,64}$/;

/** "Start a chat" with one person, and "New group" with a title and members. */
export function sidebarForms(app: App): HTMLElement {
  const user = h('input', {
    testid: 'new-chat-user',
    name: 'userId',
    placeholder: 'Chat with… (user id)',
    autocomplete: 'off',
    required: true,
    maxlength: 64,
  });
  const direct = h(
    'form',
    {
      class: 'inline-form',
      testid: 'new-chat-form',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const userId = user.value.trim();
        if (!USER_ID.test(userId)) return app.toast(`"${userId}" is not a user id.`, 'error');
        if (userId === app.me) return app.toast('That is you: pick someone else.', 'error');
        if (await app.startDirect(userId)) user.value = '';
      },
    },
    user,
    h('button', { type: 'submit', class: 'primary', testid: 'new-chat-submit' }, 'Start'),
  );
  const title = h('input', {
    testid: 'new-group-title',
    placeholder: 'Group title',
    required: true,
    maxlength: 100,
  });
  const members = h('input', {
    testid: 'new-group-members',
    placeholder: 'Members: bob, carol',
    required: true,
  });
  const group = h(
    'details',
    { class: 'new-group' },
    h('summary', {}, 'New group'),
    h(
      'form',
      {
        class: 'stacked-form',
        testid: 'new-group-form',
        onsubmit: async (event: Event) => {
          event.preventDefault();
          const ids = members.value.split(/[\s,]+/).filter((id) => id !== '' && id !== app.me);
          const bad = ids.find((id) => !USER_ID.test(id));
          if (bad !== undefined) return app.toast(`"${bad}" is not a user id.`, 'error');
          if (await app.createGroup(title.value.trim(), ids)) {
            title.value = '';
            members.value = '';
          }
        },
      },
      title,
      members,
      h('button', { type: 'submit', class: 'primary' }, 'Create group'),
    ),
  );
  return h('div', { class: 'sidebar-forms' }, direct, group);
}

export function renderConversationList(list: HTMLElement, app: App): void {
  const items = app.sortedConversations();
  if (items.length === 0) {
    mount(
      list,
      h('li', { class: 'empty' }, 'No conversations yet. Start a chat with someone above.'),
    );
    return;
  }
  mount(
    list,
    items.map((item) => row(app, item)),
  );
}

function row(app: App, item: ConversationSummary): HTMLElement {
  const title = app.titleOf(item);
  const unread = item.unreadCount;
  return h(
    'li',
    {
      class: `conversation${item.id === app.openId ? ' active' : ''}${unread > 0 ? ' unread' : ''}`,
      testid: 'conversation',
      'data-conversation-id': item.id,
      'data-title': title,
    },
    h(
      'button',
      { type: 'button', onclick: () => void app.openConversation(item.id) },
      item.kind === 'group' ? h('span', { class: 'avatar group' }, '#') : avatar(title),
      h(
        'span',
        { class: 'conversation-text' },
        h('span', { class: 'conversation-title' }, title),
        h(
          'span',
          { class: 'conversation-preview', testid: 'conversation-preview' },
          preview(app, item.lastMessage),
        ),
      ),
      h(
        'span',
        { class: 'conversation-meta' },
        item.lastMessage ? h('time', {}, timeOf(item.lastMessage.createdAt)) : null,
        h('span', { class: 'badge', testid: 'unread-count', hidden: unread === 0 }, String(unread)),
      ),
    ),
  );
}

function preview(app: App, message: Message | null): string {
  if (message === null) return 'No messages yet';
  if (message.deletedAt !== null) return 'Message deleted';
  const who = app.isMine(message)
    ? 'You: '
    : message.sender.kind === 'system'
      ? ''
      : `${message.sender.id}: `;
  return `${who}${message.text}`;
}
