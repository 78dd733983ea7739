// The page a one-time link opens (/auth/set-password#token=...): the token stays in the fragment,
// never sent in a URL to any server, and goes to POST /auth/set-password in the body. A setup link
// (the first owner) also needs their email; the server says so, and the form then asks for it.
import { useState } from 'preact/hooks';
import { ApiError, setPassword } from './api.js';

export function SetPassword({ onDone }: { onDone: () => void }) {
  // Read once: the address bar loses the token after use, and a re-render must not lose it too.
  const [token] = useState(() => new URLSearchParams(location.hash.slice(1)).get('token') ?? '');
  const [error, setError] = useState('');
  const [needsEmail, setNeedsEmail] = useState(false);
  const [done, setDone] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const password = String(form.get('password'));
    if (password !== String(form.get('confirm'))) return setError('The two passwords differ.');
    setError('');
    try {
      const email = needsEmail ? String(form.get('email')) : undefined;
      const name = needsEmail ? String(form.get('name') || '') || undefined : undefined;
      const res = await setPassword({ token, password, email, name });
      history.replaceState(null, '', location.pathname); // the used token leaves the address bar
      setDone(res.email);
    } catch (err) {
      if (err instanceof ApiError && /email/i.test(err.message) && !needsEmail) setNeedsEmail(true);
      setError((err as Error).message);
    }
  };
  if (!token) return <Message title="This link is incomplete">Ask an owner for a new link.</Message>;
  if (done)
    return (
      <Message title="Password set">
        You can now sign in as {done}.{' '}
        <button type="button" onClick={onDone}>
          Go to sign-in
        </button>
      </Message>
    );
  return (
    <main class="auth">
      <form class="card" onSubmit={submit} aria-labelledby="set-title">
        <h1 id="set-title">Choose a password</h1>
        <p class="hint">15 to 128 characters. The link works once.</p>
        {needsEmail && (
          <>
            <label>
              Email
              <input name="email" type="email" autocomplete="username" required />
            </label>
            <label>
              Name (optional)
              <input name="name" autocomplete="name" />
            </label>
          </>
        )}
        <label>
          New password
          <input name="password" type="password" autocomplete="new-password" minLength={15} required />
        </label>
        <label>
          Repeat it
          <input name="confirm" type="password" autocomplete="new-password" minLength={15} required />
        </label>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <button type="submit">Set password</button>
      </form>
    </main>
  );
}

function Message({ title, children }: { title: string; children: preact.ComponentChildren }) {
  return (
    <main class="auth">
      <section class="card" aria-labelledby="msg-title">
        <h1 id="msg-title">{title}</h1>
        <p>{children}</p>
      </section>
    </main>
  );
}
