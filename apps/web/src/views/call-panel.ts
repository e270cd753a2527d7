import { type App } from '../app';
import { avatar, h, mount } from '../dom';

/** The call card: who, the call's state, the buttons that apply, and the signaling exchange. */
export function renderCallPanel(panel: HTMLElement, app: App): void {
  const session = app.call;
  panel.hidden = session === undefined;
  if (session === undefined) {
    panel.replaceChildren();
    return;
  }
  const { call } = session;
  const other = session.other;
  const answeredElsewhere =
    !session.isCaller && call.state === 'active' && call.acceptedBy !== app.me;
  const button = (testid: string, label: string, kind: string, action: () => void) =>
    h('button', { type: 'button', class: kind, testid, onclick: action }, label);
  const buttons =
    session.isOver || answeredElsewhere
      ? [button('call-dismiss', 'Close', 'ghost', () => app.dismissCall())]
      : call.state === 'ringing' && !session.isCaller
        ? [
            button('call-accept', 'Accept', 'accept', () => void app.answerCall('accept')),
            button('call-decline', 'Decline', 'danger', () => void app.answerCall('decline')),
          ]
        : [
            button(
              'call-hangup',
              call.state === 'ringing' ? 'Cancel' : 'Hang up',
              'danger',
              () => void app.answerCall(call.state === 'ringing' ? 'cancel' : 'hangup'),
            ),
          ];
  panel.dataset['state'] = call.state;
  mount(
    panel,
    h(
      'div',
      { class: `call-card state-${call.state}` },
      h(
        'div',
        { class: 'call-head' },
        h(
          'span',
          { class: call.state === 'ringing' ? 'pulse' : '' },
          avatar(session.isCaller ? (call.acceptedBy ?? call.inviteeIds[0] ?? '?') : call.callerId),
        ),
        h(
          'div',
          {},
          h(
            'strong',
            { testid: 'call-title' },
            answeredElsewhere
              ? `Answered by ${call.acceptedBy}`
              : titleOf(session.isCaller, call.state, other, call.durationSeconds),
          ),
          h(
            'div',
            { class: 'call-states' },
            h('span', { class: `pill state-${call.state}`, testid: 'call-state' }, call.state),
            h(
              'span',
              { class: 'muted', testid: 'peer-state' },
              `peer connection: ${session.peerState}`,
            ),
          ),
        ),
      ),
      h('div', { class: 'call-actions' }, buttons),
      h('h3', {}, 'Signaling'),
      h(
        'ol',
        { class: 'signal-log', testid: 'signal-log' },
        session.log.map((entry) =>
          h(
            'li',
            {
              testid: 'signal-entry',
              'data-kind': entry.kind,
              class: `signal ${entry.kind.replace(':', '-')}`,
            },
            h(
              'time',
              {},
              entry.at.toLocaleTimeString([], {
                hour: '2-digit',
                minute: '2-digit',
                second: '2-digit',
              }),
            ),
            entry.text,
          ),
        ),
      ),
    ),
  );
}

function titleOf(
  caller: boolean,
  state: string,
  other: string,
  durationSeconds: number | null,
): string {
  switch (state) {
    case 'ringing':
      return caller ? `Calling ${other}…` : `${other} is calling you`;
    case 'active':
      return `In a call with ${other}`;
    case 'ended':
    case 'failed':
      return `Call ${state}${durationSeconds === null ? '' : ` · ${durationSeconds} s`}`;
    default:
      return `Call ${state}`;
  }
}
