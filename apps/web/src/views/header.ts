import { type App } from '../app';
import { avatar, h } from '../dom';
import { type ConnectionStatus } from '../realtime';

const LABELS: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  stopped: 'Offline',
};

export function header(app: App, status: HTMLElement): HTMLElement {
  return h(
    'header',
    { class: 'topbar' },
    h(
      'div',
      { class: 'brand' },
      h('span', { class: 'logo', 'aria-hidden': 'true' }),
      'Switchboard',
    ),
    status,
    h(
      'div',
      { class: 'me' },
      avatar(app.me),
      h('span', { class: 'me-name', testid: 'signed-in-as' }, app.me),
      h(
        'button',
        { class: 'ghost', testid: 'sign-out', type: 'button', onclick: () => app.signOut() },
        'Sign out',
      ),
    ),
  );
}

export function renderStatus(
  element: HTMLElement,
  status: { state: ConnectionStatus; detail: string },
): void {
  element.dataset['state'] = status.state;
  element.title = status.detail;
  element.textContent = LABELS[status.state];
}
