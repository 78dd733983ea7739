// The dashboard's shell: which view the address asks for, and the session that decides what it
// may show. A page with no session lands on sign-in; the set-password step needs none.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { currentSession, type Session, signOut } from './api.js';
import { Overview } from './overview.js';
import { SetPassword } from './set-password.js';
import { SignIn } from './sign-in.js';
import './style.css';

function go(path: string) {
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

function ThemeToggle() {
  const [theme, setTheme] = useState(() => localStorage.getItem('theme') ?? '');
  useEffect(() => {
    if (theme) document.documentElement.dataset.theme = theme;
    else delete document.documentElement.dataset.theme;
    localStorage.setItem('theme', theme);
  }, [theme]);
  const dark = theme ? theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
  return (
    <button type="button" class="ghost" aria-pressed={dark} onClick={() => setTheme(dark ? 'light' : 'dark')}>
      {dark ? 'Light mode' : 'Dark mode'}
    </button>
  );
}

function App() {
  const [path, setPath] = useState(location.pathname);
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState('');
  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  useEffect(() => {
    if (path === '/auth/set-password') return;
    currentSession()
      .then(setSession)
      .catch((e: Error) => setError(e.message));
  }, [path === '/auth/set-password']);

  if (path === '/auth/set-password') return <SetPassword onDone={() => go('/sign-in')} />;
  if (error)
    return (
      <p role="alert" class="error page-error">
        Could not reach Steward: {error}
      </p>
    );
  if (session === undefined)
    return (
      <p class="loading" aria-busy="true">
        Loading…
      </p>
    );
  if (!session) {
    if (path !== '/sign-in') history.replaceState(null, '', '/sign-in');
    return (
      <SignIn
        onSignedIn={(s) => {
          setSession(s);
          go('/');
        }}
      />
    );
  }
  if (path !== '/') history.replaceState(null, '', '/');
  const out = async () => {
    await signOut(session.csrf_token).catch(() => undefined);
    setSession(null);
    go('/sign-in');
  };
  return (
    <div class="shell">
      <header class="top">
        <span class="brand">Steward</span>
        <nav aria-label="Pages">
          <a href="/" aria-current="page">
            Overview
          </a>
        </nav>
        <span class="who" data-testid="who">
          {session.user.email} · {session.user.role.replace('_', ' ')}
        </span>
        <ThemeToggle />
        <button type="button" class="ghost" onClick={out}>
          Sign out
        </button>
      </header>
      <main id="main">
        <Overview session={session} />
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
