// Keys and setup: what every ingest token has sent (last seen, turns, machines), the analytics and
// compliance keys (create, rotate, revoke), and a new developer's setup: their own ingest token,
// shown once inside the exact [otel] block and collector command they paste.
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api.js';
import { type Column, DataTable } from '../components/data-table.js';
import { SecretNotice } from '../components/secret.js';
import { fmtDay, fmtInt } from '../format.js';
import type { PageProps } from '../pages.js';
import { admin, type Key, seats, type User } from './people-api.js';
import {
  collectorCommand,
  ingestTokens,
  INGEST,
  keyStatus,
  OTHER_SCOPES,
  otelBlock,
  otherKeys,
  type PersonFigures,
  serverUrl,
  type TokenLine,
  unread,
} from './keys-data.js';
import './people.css';

interface Loaded {
  keys: Key[];
  url: string;
}
type Secret = { title: string; lines: { label: string; text: string }[] };

const when = (ms: number | null) => (ms ? `${fmtDay(ms / 1000)} ${new Date(ms).toISOString().slice(11, 16)}` : 'never');

export default function KeysPage({ session }: PageProps) {
  const api = admin(session);
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState('');
  const [secret, setSecret] = useState<Secret | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    Promise.all([api.keys(), api.settings()])
      .then(([keys, s]) => {
        if (live) setData({ keys, url: serverUrl(s.public_url, location.origin) });
      })
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [session.workspace_id, tick]);
  // Their turns and machines, read for the tokens on screen only (a page of the seat view).
  const [figures, setFigures] = useState<PersonFigures>(new Map());
  const readFigures = (lines: TokenLine[]) => {
    const users = unread(lines, figures);
    if (users.length === 0) return;
    seats(session.workspace_id, { state: 'all', users, limit: users.length })
      .then((p) =>
        setFigures((f) => {
          const next = new Map(f);
          for (const s of p.data) next.set(s.user_id, { turns30d: s.turns_30d, machines: s.machines });
          // Holders who are no seat (removed, or a service identity): nothing to show, nothing to read again.
          for (const u of users) if (!next.has(u)) next.set(u, null);
          return next;
        }),
      )
      .catch((e: Error) => setError(e.message));
  };
  const reload = () => setTick((t) => t + 1);
  const act = async (f: () => Promise<unknown>) => {
    setError('');
    try {
      await f();
      reload();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  const rotate = (k: Key) =>
    act(async () => {
      const r = await api.rotate(k.id, 24);
      const lines = [{ label: 'New secret', text: r.secret }];
      if (k.scopes.includes(INGEST) && data) lines.push({ label: '[otel] block', text: otelBlock(data.url, r.secret) });
      setSecret({ title: `Rotated ${k.name ?? k.prefix}: the old secret works for 24 more hours`, lines });
    });
  const revoke = (k: Key) => act(() => api.revoke(k.id));

  const tokenColumns: Column<TokenLine>[] = [
    { key: 'name', label: 'Token', value: (t) => t.key.name ?? t.key.prefix, render: (t) => <KeyName k={t.key} /> },
    { key: 'who', label: 'Person', value: (t) => t.who },
    { key: 'status', label: 'Status', value: (t) => t.status, render: (t) => <Status k={t.key} /> },
    { key: 'last', label: 'Last seen', value: (t) => t.key.last_used_at, render: (t) => when(t.key.last_used_at) },
    {
      key: 'turns',
      label: 'Their turns (30 d)',
      numeric: true,
      sortable: false,
      value: (t) => t.turns30d,
      render: (t) => (t.turns30d === null ? '–' : fmtInt(t.turns30d)),
    },
    {
      key: 'machines',
      label: 'Their machines',
      numeric: true,
      sortable: false,
      value: (t) => t.machines,
      render: (t) => t.machines ?? '–',
    },
    {
      key: 'actions',
      label: 'Actions',
      value: () => null,
      render: (t) => <KeyActions k={t.key} rotate={rotate} revoke={revoke} />,
    },
  ];
  const keyColumns: Column<Key>[] = [
    { key: 'name', label: 'Key', value: (k) => k.name ?? k.prefix, render: (k) => <KeyName k={k} /> },
    { key: 'scopes', label: 'Scopes', value: (k) => k.scopes.join(' '), render: (k) => k.scopes.join(', ') },
    { key: 'status', label: 'Status', value: (k) => keyStatus(k), render: (k) => <Status k={k} /> },
    { key: 'created', label: 'Created', value: (k) => k.created_at, render: (k) => when(k.created_at) },
    { key: 'last', label: 'Last used', value: (k) => k.last_used_at, render: (k) => when(k.last_used_at) },
    {
      key: 'actions',
      label: 'Actions',
      value: () => null,
      render: (k) => <KeyActions k={k} rotate={rotate} revoke={revoke} />,
    },
  ];

  return (
    <>
      <div class="toolbar">
        <div class="title">
          <h1>Keys and setup</h1>
          <p class="sub">Secrets are shown once, when a key is made or rotated; Steward keeps only their hash.</p>
        </div>
      </div>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {secret && <SecretNotice title={secret.title} lines={secret.lines} onClose={() => setSecret(null)} />}
      {data && <Setup url={data.url} onCreated={(s) => (setSecret(s), reload())} session={session} />}
      <section class="panel" aria-labelledby="tokens-title">
        <h2 id="tokens-title">Ingest tokens</h2>
        {data ? (
          <DataTable
            id="tokens-table"
            caption="Ingest tokens"
            rows={ingestTokens(data.keys, figures)}
            onShown={readFigures}
            rowKey={(t) => t.key.id}
            columns={tokenColumns}
            sort={{ key: 'last', desc: true }}
            search={(t) => `${t.who} ${t.key.name ?? ''} ${t.key.prefix}`}
            empty="No ingest tokens yet: set up a developer above."
          />
        ) : (
          <p class="loading">Loading…</p>
        )}
      </section>
      <section class="panel" aria-labelledby="keys-title">
        <h2 id="keys-title">Analytics and compliance keys</h2>
        <NewKey session={session} onCreated={(s) => (setSecret(s), reload())} />
        {data ? (
          <DataTable
            id="keys-table"
            caption="Analytics and compliance keys"
            rows={otherKeys(data.keys)}
            rowKey={(k) => k.id}
            columns={keyColumns}
            sort={{ key: 'created', desc: true }}
            empty="No analytics or compliance keys yet."
          />
        ) : (
          <p class="loading">Loading…</p>
        )}
      </section>
    </>
  );
}

function KeyName({ k }: { k: Key }) {
  return (
    <span class="key-name">
      {k.name ?? 'unnamed'}
      <code>{k.prefix}…</code>
    </span>
  );
}

function Status({ k }: { k: Key }) {
  const s = keyStatus(k);
  const text = s === 'rotating' ? `old secret until ${when(k.expires_at)}` : s;
  return <span class={`badge ${s}`}>{text}</span>;
}

function KeyActions(props: { k: Key; rotate: (k: Key) => void; revoke: (k: Key) => void }) {
  const [confirming, setConfirming] = useState(false);
  const s = keyStatus(props.k);
  if (s === 'revoked' || s === 'expired') return <span class="hint">–</span>;
  const name = props.k.name ?? props.k.prefix;
  return (
    <span class="actions">
      {s === 'active' && (
        <button type="button" class="ghost small" aria-label={`Rotate ${name}`} onClick={() => props.rotate(props.k)}>
          Rotate
        </button>
      )}
      {confirming ? (
        <button
          type="button"
          class="danger small"
          aria-label={`Confirm revoking ${name}`}
          onClick={() => props.revoke(props.k)}
        >
          Confirm revoke
        </button>
      ) : (
        <button type="button" class="ghost small" aria-label={`Revoke ${name}`} onClick={() => setConfirming(true)}>
          Revoke
        </button>
      )}
    </span>
  );
}

function Setup(props: { url: string; session: PageProps['session']; onCreated: (s: Secret) => void }) {
  const [who, setWho] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  // Suggestions as the email is typed: a few people from the server, not every user of the workspace.
  const [suggested, setSuggested] = useState<User[]>([]);
  useEffect(() => {
    const text = who.trim();
    if (text.length < 2) return setSuggested([]);
    let live = true;
    const timer = setTimeout(() => {
      admin(props.session)
        .findUsers({ search: text, limit: 8, people: true })
        .then((p) => live && setSuggested(p.data))
        .catch(() => live && setSuggested([]));
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [who]);
  const create = async (e: Event) => {
    e.preventDefault();
    const email = who.trim();
    if (!email) return;
    setBusy(true);
    setError('');
    try {
      const k = await admin(props.session).createKey({ scopes: [INGEST], user: email, name: `codex ${email}` });
      props.onCreated({
        title: `${email}'s ingest token: paste these on their machine`,
        lines: [
          { label: "[otel] block for the developer's ~/.codex/config.toml", text: otelBlock(props.url, k.secret) },
          { label: 'Session files too: the collector, left running', text: collectorCommand(props.url, k.secret) },
        ],
      });
      setWho('');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel" aria-labelledby="setup-title">
      <h2 id="setup-title">Set up a new developer</h2>
      <p class="hint">
        Makes an ingest token for them and shows the <code>[otel]</code> block and collector command with it, sending to{' '}
        <code>{props.url}</code>.
      </p>
      <form class="inline-form" onSubmit={create}>
        <label>
          <span>Developer</span>
          <input
            id="setup-who"
            type="email"
            aria-label="Developer"
            placeholder="their email"
            autocomplete="off"
            list="setup-people"
            value={who}
            onInput={(e) => setWho((e.target as HTMLInputElement).value)}
            required
          />
          <datalist id="setup-people" data-testid="setup-people">
            {suggested.map((u) => (
              <option key={u.id} value={u.email}>
                {u.name ?? ''}
              </option>
            ))}
          </datalist>
        </label>
        <button type="submit" disabled={busy || !who.trim()}>
          {busy ? 'Creating…' : 'Create their token'}
        </button>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </section>
  );
}

function NewKey(props: { session: PageProps['session']; onCreated: (s: Secret) => void }) {
  const [scope, setScope] = useState(OTHER_SCOPES[0][0]);
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const create = async (e: Event) => {
    e.preventDefault();
    setError('');
    try {
      const k = await admin(props.session).createKey({ scopes: [scope], name: name || undefined });
      props.onCreated({
        title: `Created ${k.name ?? k.prefix} (${scope})`,
        lines: [{ label: 'Secret', text: k.secret }],
      });
      setName('');
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="inline-form" onSubmit={create} aria-label="Create a key">
      <label>
        <span>Scope</span>
        <select aria-label="Scope" value={scope} onChange={(e) => setScope((e.target as HTMLSelectElement).value)}>
          {OTHER_SCOPES.map(([v, text]) => (
            <option key={v} value={v}>
              {text}
            </option>
          ))}
        </select>
      </label>
      <label>
        Name
        <input
          value={name}
          placeholder="e.g. BI export"
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
        />
      </label>
      <button type="submit">Create key</button>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </form>
  );
}
