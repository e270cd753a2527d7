import { type App } from '../app';
import { avatar, h, mount, timeOf } from '../dom';
import { type Message } from '../types';

/**
 * The open conversation: its header (with the call button), the messages with receipts, and the
 * composer. The composer is built once, so typing survives every re-render of the messages.
 */
export class ConversationPane {
  readonly element = h('main', { class: 'pane', testid: 'conversation-pane' });
  private readonly head = h('header', { class: 'pane-header' });
  private readonly list = h('ol', { class: 'messages', testid: 'messages' });
  private readonly input = h('input', {
    testid: 'composer-input',
    placeholder: 'Message…  try /echo hello or /help',
    autocomplete: 'off',
    maxlength: 4096,
    'aria-label': 'Message',
  });
  private readonly composer = h(
    'form',
    {
      class: 'composer',
      testid: 'composer',
      onsubmit: (event: Event) => {
        event.preventDefault();
        void this.submit();
      },
    },
    this.input,
    h('button', { type: 'submit', class: 'primary', testid: 'composer-send' }, 'Send'),
  );
  private shownId: string | undefined;

  constructor(private readonly app: App) {}

  render(): void {
    const conversation = this.app.open;
    if (conversation === undefined) {
      this.shownId = undefined;
      mount(
        this.element,
        h(
          'div',
          { class: 'pane-empty' },
          h('h2', {}, 'No conversation open'),
          h(
            'p',
            {},
            'Pick one on the left, or start a chat with someone: type their user id (e.g. bob).',
          ),
        ),
      );
      return;
    }
    if (this.shownId !== conversation.id) {
      this.shownId = conversation.id;
      this.input.value = '';
      mount(this.element, this.head, this.list, this.composer);
      this.input.focus();
    }
    const title = this.app.titleOf(conversation);
    const others = conversation.members.filter((member) => member.userId !== this.app.me);
    const callBusy = this.app.call !== undefined && !this.app.call.isOver;
    mount(
      this.head,
      conversation.kind === 'group' ? h('span', { class: 'avatar group' }, '#') : avatar(title),
      h(
        'div',
        { class: 'pane-title' },
        h('h2', { testid: 'conversation-title' }, title),
        h(
          'span',
          { class: 'muted' },
          conversation.kind === 'group'
            ? `${conversation.members.length} members: ${conversation.members.map((m) => m.userId).join(', ')}`
            : 'Direct conversation · bots answer /commands here too',
        ),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'call-button',
          testid: 'call-start',
          disabled: callBusy || others.length === 0,
          title: callBusy ? 'Already in a call' : `Call ${title}`,
          onclick: () => void this.app.startCall(),
        },
        h('span', { class: 'phone', 'aria-hidden': 'true' }),
        'Call',
      ),
    );
    this.renderMessages();
  }

  private renderMessages(): void {
    const nearBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 80;
    const messages = this.app.messages;
    if (messages.length === 0) {
      mount(this.list, h('li', { class: 'empty' }, 'No messages yet: say hello.'));
      return;
    }
    const lastMine = [...messages].reverse().find((message) => this.app.isMine(message));
    mount(
      this.list,
      messages.map((message) => this.message(message, message === lastMine)),
    );
    if (nearBottom || lastMine === messages.at(-1)) this.list.scrollTop = this.list.scrollHeight;
  }

  private message(message: Message, showReceipt: boolean): HTMLElement {
    const mine = this.app.isMine(message);
    const kind = message.sender.kind;
    const attributes = {
      testid: 'message',
      'data-message-id': message.id,
      'data-sender': message.sender.id,
      'data-sender-kind': kind,
    };
    if (kind === 'system') {
      return h(
        'li',
        { ...attributes, class: 'message system' },
        h('span', { testid: 'message-text' }, message.text),
      );
    }
    const deleted = message.deletedAt !== null;
    return h(
      'li',
      { ...attributes, class: `message ${mine ? 'mine' : 'theirs'} ${kind}` },
      mine ? null : avatar(message.sender.id, kind === 'bot' ? { class: 'avatar bot' } : {}),
      h(
        'div',
        { class: 'bubble' },
        mine
          ? null
          : h(
              'span',
              { class: 'sender' },
              message.sender.id,
              kind === 'bot' ? h('span', { class: 'tag' }, 'bot') : null,
            ),
        h(
          'span',
          { class: `text${deleted ? ' deleted' : ''}`, testid: 'message-text' },
          deleted ? 'Message deleted' : message.text,
        ),
        h(
          'span',
          { class: 'meta' },
          timeOf(message.createdAt),
          message.editedAt && !deleted ? ' · edited' : '',
        ),
      ),
      showReceipt ? this.receipt(message) : null,
    );
  }

  /** "Read by bob" once another member's receipt reached this message; "Sent" before. */
  private receipt(message: Message): HTMLElement {
    const readers = [...this.app.receipts.values()]
      .filter((receipt) => receipt.userId !== this.app.me)
      .filter(
        (receipt) => receipt.lastReadMessageId !== null && receipt.lastReadMessageId >= message.id,
      )
      .map((receipt) => receipt.userId);
    return h(
      'span',
      { class: `receipt${readers.length > 0 ? ' read' : ''}`, testid: 'receipt' },
      readers.length > 0 ? `✓✓ Read by ${readers.join(', ')}` : '✓ Sent',
    );
  }

  private async submit(): Promise<void> {
    const text = this.input.value.trim();
    if (text === '') return;
    this.input.value = '';
    if (!(await this.app.send(text))) this.input.value = text;
    this.input.focus();
  }
}
