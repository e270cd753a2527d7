import './styles.css';
import { App } from './app';
import { mount } from './dom';
import { signInView } from './views/sign-in';

const SESSION_KEY = 'switchboard.session';

interface Session {
  userId: string;
  token: string;
}

const root = document.getElementById('app') as HTMLElement;

function stored(): Session | undefined {
  try {
    const session = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as Session | null;
    return session?.userId && session.token ? session : undefined;
  } catch {
    return undefined;
  }
}

function signIn(notice?: string): void {
  document.title = 'Switchboard';
  mount(
    root,
    signInView(notice, (userId, token) => {
      sessionStorage.setItem(SESSION_KEY, JSON.stringify({ userId, token }));
      run({ userId, token });
    }),
  );
}

function run(session: Session): void {
  document.title = `${session.userId} · Switchboard`;
  new App(session.userId, session.token, root, (reason) => {
    sessionStorage.removeItem(SESSION_KEY);
    signIn(reason);
  }).start();
}

const session = stored();
if (session) run(session);
else signIn();
