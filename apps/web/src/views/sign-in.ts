import { ApiError, devToken } from '../api';
import { h } from '../dom';

const USER_ID = /^[A-Za-z0-9._@-]{1,64}$/;

/** Sign in as any user id with a development token (`POST /api/dev/token`). */
export function signInView(
  notice: string | undefined,
  signedIn: (userId: string, token: string) => void,
): HTMLElement {
  const input = h('input', {
    testid: 'sign-in-user',
    name: 'userId',
    placeholder: 'alice',
    autocomplete: 'username',
    required: true,
    maxlength: 64,
    autofocus: true,
    'aria-label': 'User id',
  });
  const error = h('p', {
    class: 'form-error',
    testid: 'sign-in-error',
    role: 'alert',
    hidden: true,
  });
  const button = h(
    'button',
    { type: 'submit', class: 'primary', testid: 'sign-in-submit' },
    'Sign in',
  );
  const fail = (text: string) => {
    error.textContent = text;
    error.hidden = false;
  };
  const submit = async (userId: string) => {
    if (!USER_ID.test(userId)) {
      return fail('A user id has 1–64 letters, digits and . _ @ - (no spaces).');
    }
    button.disabled = true;
    try {
      signedIn(userId, await devToken(userId));
    } catch (reason) {
      fail(reason instanceof ApiError ? `Could not sign in: ${reason.message}` : String(reason));
    } finally {
      button.disabled = false;
    }
  };
  const quick = (name: string) =>
    h('button', { type: 'button', class: 'chip', onclick: () => void submit(name) }, name);
  return h(
    'div',
    { class: 'sign-in' },
    h(
      'form',
      {
        class: 'card sign-in-card',
        testid: 'sign-in-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          void submit(input.value.trim());
        },
      },
      h(
        'div',
        { class: 'brand big' },
        h('span', { class: 'logo', 'aria-hidden': 'true' }),
        'Switchboard',
      ),
      h(
        'p',
        { class: 'muted' },
        'Chat, stories, calls and bots — a demo client of the gateway. Sign in as anyone: this uses a development token.',
      ),
      notice === undefined ? null : h('p', { class: 'notice', testid: 'sign-in-notice' }, notice),
      h('label', {}, 'Your user id', input),
      error,
      button,
      h(
        'div',
        { class: 'quick' },
        h('span', { class: 'muted' }, 'or try'),
        quick('alice'),
        quick('bob'),
        quick('carol'),
      ),
    ),
  );
}
