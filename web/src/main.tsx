// The dashboard's shell: which view the address asks for, and the session that decides what it
// may show. A page with no session lands on sign-in; the set-password step needs none.
import { type FunctionComponent, render } from 'preact';
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

type PageComponent = FunctionComponent<{ session: Session }>;
interface PageDef {
  path: string;
  label: string;
  /** The roles whose sessions the page's API routes answer (core/authz.ts): the nav shows no other. */
  roles: readonly string[];
  page?: PageComponent;
  load?: () => Promise<{ default: PageComponent }>;
}
const ANALYTICS = ['owner', 'analytics_owner', 'analytics_viewer'];
// The overview is in the first bundle; every other page is fetched when first opened.
const PAGES: PageDef[] = [
  { path: '/', label: 'Overview', roles: [...ANALYTICS, 'team_lead', 'member'], page: Overview },
  { path: '/code-review', label: 'Code Review', roles: ANALYTICS, load: () => import('./pages/code-review.js') },
  { path: '/tools', label: 'Tools and skills', roles: ANALYTICS, load: () => import('./pages/tools.js') },
  {
    path: '/compliance',
    label: 'Compliance',
    roles: ['owner', 'security_owner'],
    load: () => import('./pages/compliance.js'),
  },
];

function Lazy({ load, session }: { load: () => Promise<{ default: PageComponent }>; session: Session }) {
  const [Page, setPage] = useState<{ c: PageComponent } | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    setPage(null);
    load()
      .then((m) => live && setPage({ c: m.default }))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [load]);
  if (error)
    return (
      <p role="alert" class="error">
        Could not load the page: {error}
      </p>
    );
  return Page ? <Page.c session={session} /> : <p class="loading">Loading…</p>;
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
  const allowed = PAGES.filter((p) => p.roles.includes(session.user.role));
  const known = PAGES.find((p) => p.path === path);
  // An unknown address, or the overview for a role it shows nothing to: the first page they may see.
  const current = known && (known.roles.includes(session.user.role) || path !== '/') ? known : allowed[0];
  if (current && current.path !== path) history.replaceState(null, '', current.path);
  const refused = current && !current.roles.includes(session.user.role);
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
          {allowed.map((p) => (
            <a
              key={p.path}
              href={p.path}
              aria-current={p === current ? 'page' : undefined}
              onClick={(e) => {
                if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
                e.preventDefault();
                go(p.path);
              }}
            >
              {p.label}
            </a>
          ))}
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
        {!current ? (
          <p class="empty">Your role has no pages here.</p>
        ) : refused ? (
          <section class="panel refused" data-testid="refused">
            <h1>{current.label}</h1>
            <p role="alert">
              This page is not open to your role ({session.user.role.replace('_', ' ')}); an owner can change roles.
            </p>
            {allowed[0] && (
              <p>
                <a href={allowed[0].path} onClick={(e) => (e.preventDefault(), go(allowed[0].path))}>
                  Go to {allowed[0].label}
                </a>
              </p>
            )}
          </section>
        ) : current.load ? (
          <Lazy key={current.path} load={current.load} session={session} />
        ) : (
          current.page && <current.page session={session} />
        )}
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
