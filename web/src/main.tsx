// The dashboard's shell: which view the address asks for, and the session that decides what it
// may show. A page with no session lands on sign-in; the set-password step needs none.
import { type ComponentType, render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { currentSession, type Session, signOut } from './api.js';
import { Overview } from './overview.js';
import { match, mayOpen, OVERVIEW_ROLES, PAGES, type PageDef, type PageProps } from './pages.js';
import { SetPassword } from './set-password.js';
import { SignIn } from './sign-in.js';
import './styles/theme.css';
import './styles/shell.css';
import './styles/data.css';
import './styles/controls.css';

function go(path: string) {
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

// Links inside the app change the view without reloading the page (modified clicks open tabs as usual).
function onLinkClick(e: MouseEvent) {
  const a = (e.target as Element).closest?.('a');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/v1/')) return;
  e.preventDefault();
  if (url.pathname !== location.pathname) go(url.pathname + url.search);
}

/** Where a path leads the session: itself, or the nearest view its role may open. */
function routeFor(path: string, s: Session): { path: string; view: ReturnType<typeof match>; refused?: boolean } {
  const own = `/users/${encodeURIComponent(s.user.id)}`;
  const home = s.user.role === 'member' ? own : OVERVIEW_ROLES.includes(s.user.role) ? '/' : '/compliance';
  if (path === '/') return OVERVIEW_ROLES.includes(s.user.role) ? { path, view: null } : routeFor(home, s);
  const found = match(path);
  if (!found) return routeFor(home, s);
  // A member is always taken to their own page; another role is told the page is not open to it.
  if (!mayOpen(found.page, s))
    return s.user.role === 'member' ? routeFor(home, s) : { path, view: found, refused: true };
  if (found.params.user_id !== undefined && s.user.role === 'member' && found.params.user_id !== s.user.id)
    return { path: own, view: match(own) };
  return { path, view: found };
}

function Refused(props: { label: string; role: string; home: { href: string; label: string } | undefined }) {
  return (
    <section class="panel refused" data-testid="refused">
      <h1>{props.label}</h1>
      <p role="alert">
        This page is not open to your role ({props.role.replace('_', ' ')}); an owner can change roles.
      </p>
      {props.home && (
        <p>
          <a href={props.home.href}>Go to {props.home.label}</a>
        </p>
      )}
    </section>
  );
}

function LazyPage(props: { page: PageDef } & PageProps) {
  const [loaded, setLoaded] = useState<{ page: PageDef; view: ComponentType<PageProps> } | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    props.page
      .load()
      .then((m) => live && setLoaded({ page: props.page, view: m.default }))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [props.page]);
  if (error)
    return (
      <p role="alert" class="error">
        Could not load the page: {error}
      </p>
    );
  if (!loaded || loaded.page !== props.page)
    return (
      <p class="loading" aria-busy="true">
        Loading…
      </p>
    );
  const View = loaded.view;
  return <View session={props.session} params={props.params} go={props.go} />;
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
    document.addEventListener('click', onLinkClick);
    return () => {
      removeEventListener('popstate', onPop);
      document.removeEventListener('click', onLinkClick);
    };
  }, []);
  useEffect(() => {
    if (path === '/auth/set-password') return;
    // The page's code is fetched beside the session, not after it: both are needed before it can
    // ask for its data (a module is fetched once, so LazyPage's load then finds it).
    match(path)
      ?.page.load()
      .catch(() => undefined);
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
  const route = routeFor(path, session);
  if (route.path !== location.pathname) history.replaceState(null, '', route.path);
  const out = async () => {
    await signOut(session.csrf_token).catch(() => undefined);
    setSession(null);
    go('/sign-in');
  };
  const links = [
    ...(OVERVIEW_ROLES.includes(session.user.role) ? [{ href: '/', label: 'Overview' }] : []),
    ...PAGES.filter((p) => mayOpen(p, session)).map((p) => ({ href: p.href?.(session) ?? p.path, label: p.label })),
  ];
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Steward</span>
        <nav aria-label="Pages">
          {links.map((l) => (
            <a key={l.href} href={l.href} aria-current={l.href === route.path ? 'page' : undefined}>
              {l.label}
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
        {route.refused && route.view ? (
          <Refused label={route.view.page.label} role={session.user.role} home={links[0]} />
        ) : route.view ? (
          <LazyPage page={route.view.page} params={route.view.params} session={session} go={go} />
        ) : (
          <Overview session={session} />
        )}
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
