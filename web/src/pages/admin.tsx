// Admin (owners): people (role, reset link, remove), teams (create, members) and settings (the
// analytics settings the server runs with, and the content policy), through the admin and
// Compliance APIs. Every change is audited by the server.
import { useEffect, useState } from 'preact/hooks';
import { type Column, DataTable } from '../components/data-table.js';
import { SecretNotice } from '../components/secret.js';
import { fmtDay } from '../format.js';
import type { PageProps } from '../pages.js';
import { admin, type ContentPolicy, policy, type Settings, setPolicy, type Team, type User } from './people-api.js';
import { CONTENT_FIELDS, CONTENT_MODES, ROLES, roleName } from './admin-data.js';
import './people.css';

type Api = ReturnType<typeof admin>;

const TABS = [
  ['people', 'People'],
  ['teams', 'Teams'],
  ['settings', 'Settings'],
] as const;
type Tab = (typeof TABS)[number][0];

export default function AdminPage({ session }: PageProps) {
  const api = admin(session);
  const [tab, setTab] = useState<Tab>('people');
  // A tab list moves with the arrow keys (the selected tab alone is in the Tab order).
  const onArrows = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const at = TABS.findIndex(([v]) => v === tab);
    const next = TABS[(at + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length][0];
    setTab(next);
    document.getElementById(`tab-${next}`)?.focus();
  };
  return (
    <>
      <div class="toolbar">
        <div class="title">
          <h1>Admin</h1>
          <p class="sub">People, teams and settings. Every change is recorded in the audit log.</p>
        </div>
      </div>
      <div class="tabs" role="tablist" aria-label="Admin sections" onKeyDown={onArrows}>
        {TABS.map(([v, text]) => (
          <button
            key={v}
            type="button"
            role="tab"
            id={`tab-${v}`}
            aria-selected={tab === v}
            tabIndex={tab === v ? 0 : -1}
            aria-controls={`panel-${v}`}
            class={tab === v ? 'tab on' : 'tab'}
            onClick={() => setTab(v)}
          >
            {text}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} class="stack">
        {tab === 'people' && <People api={api} self={session.user.id} />}
        {tab === 'teams' && <Teams api={api} />}
        {tab === 'settings' && <SettingsPanel api={api} session={session} />}
      </div>
    </>
  );
}

function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load()
      .then((d) => live && (setData(d), setError('')))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { data, error, setError, reload: () => setTick((t) => t + 1) };
}

function Alert({ text }: { text: string }) {
  return text ? (
    <p role="alert" class="error">
      {text}
    </p>
  ) : null;
}

function People({ api, self }: { api: Api; self: string }) {
  const { data, error, setError, reload } = useLoad(() => api.users(), []);
  const [link, setLink] = useState<{ email: string; url: string } | null>(null);
  const act = async (f: () => Promise<unknown>) => {
    try {
      await f();
      reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const columns: Column<User>[] = [
    {
      key: 'email',
      label: 'Email',
      value: (u) => u.email,
      render: (u) => <a href={`/users/${encodeURIComponent(u.id)}`}>{u.email}</a>,
    },
    { key: 'name', label: 'Name', value: (u) => u.name },
    {
      key: 'role',
      label: 'Role',
      value: (u) => u.role,
      render: (u) =>
        u.removed_at ? (
          roleName(u.role)
        ) : (
          <select
            aria-label={`Role of ${u.email}`}
            value={u.role}
            disabled={u.id === self}
            onChange={(e) => act(() => api.setRole(u.id, (e.target as HTMLSelectElement).value))}
          >
            {ROLES.map(([v, t]) => (
              <option key={v} value={v}>
                {t}
              </option>
            ))}
          </select>
        ),
    },
    {
      key: 'status',
      label: 'Status',
      value: (u) => (u.removed_at ? 'removed' : u.service ? 'service' : 'active'),
      render: (u) => (
        <span class={`badge ${u.removed_at ? 'revoked' : 'active'}`}>
          {u.removed_at ? 'removed' : u.service ? 'service identity' : 'active'}
        </span>
      ),
    },
    { key: 'added', label: 'Added', value: (u) => u.created_at, render: (u) => fmtDay(u.created_at / 1000) },
    {
      key: 'actions',
      label: 'Actions',
      value: () => null,
      render: (u) =>
        u.removed_at || u.id === self ? (
          <span class="hint">–</span>
        ) : (
          <UserActions
            user={u}
            onLink={() => act(async () => setLink({ email: u.email, url: (await api.resetLink(u.id)).url }))}
            onRemove={() => act(() => api.remove(u.id))}
          />
        ),
    },
  ];
  return (
    <>
      <Alert text={error} />
      {link && (
        <SecretNotice
          title={`Sign-in link for ${link.email}: send it to them; it works once`}
          lines={[{ label: 'Link', text: link.url }]}
          onClose={() => setLink(null)}
        />
      )}
      <section class="panel" aria-labelledby="add-user-title">
        <h2 id="add-user-title">Add a person</h2>
        <AddUser api={api} onAdded={reload} />
      </section>
      <section class="panel" aria-labelledby="people-title">
        <h2 id="people-title">People</h2>
        {data ? (
          <DataTable
            id="users-table"
            caption="People"
            rows={data}
            rowKey={(u) => u.id}
            columns={columns}
            sort={{ key: 'email', desc: false }}
            search={(u) => `${u.email} ${u.name ?? ''} ${u.role}`}
          />
        ) : (
          <p class="loading">Loading…</p>
        )}
      </section>
    </>
  );
}

function UserActions(props: { user: User; onLink: () => void; onRemove: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const who = props.user.email;
  return (
    <span class="actions">
      <button type="button" class="ghost small" aria-label={`Sign-in link for ${who}`} onClick={props.onLink}>
        Reset link
      </button>
      {confirming ? (
        <button type="button" class="danger small" aria-label={`Confirm removing ${who}`} onClick={props.onRemove}>
          Confirm remove
        </button>
      ) : (
        <button type="button" class="ghost small" aria-label={`Remove ${who}`} onClick={() => setConfirming(true)}>
          Remove
        </button>
      )}
    </span>
  );
}

function AddUser({ api, onAdded }: { api: Api; onAdded: () => void }) {
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = new FormData(form);
    setError('');
    try {
      await api.addUser(String(f.get('email')), String(f.get('role')));
      form.reset();
      onAdded();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="inline-form" onSubmit={submit}>
      <label>
        Email
        <input name="email" type="email" required placeholder="dev@example.com" />
      </label>
      <label>
        <span>Role</span>
        <select name="role" aria-label="Role" defaultValue="member">
          {ROLES.map(([v, t]) => (
            <option key={v} value={v}>
              {t}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Add</button>
      <Alert text={error} />
    </form>
  );
}

function Teams({ api }: { api: Api }) {
  const { data, error, setError, reload } = useLoad(() => api.teams(), []);
  const [open, setOpen] = useState<string | null>(null);
  const create = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    try {
      const t = await api.createTeam(String(new FormData(form).get('name')));
      form.reset();
      setOpen(t.id);
      reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <>
      <Alert text={error} />
      <section class="panel" aria-labelledby="new-team-title">
        <h2 id="new-team-title">Create a team</h2>
        <form class="inline-form" onSubmit={create}>
          <label>
            Team name
            <input name="name" required placeholder="platform" />
          </label>
          <button type="submit">Create team</button>
        </form>
      </section>
      <div class="two">
        <section class="panel" aria-labelledby="teams-list-title">
          <h2 id="teams-list-title">Teams</h2>
          {!data ? (
            <p class="loading">Loading…</p>
          ) : data.length === 0 ? (
            <p class="empty">No teams yet.</p>
          ) : (
            <ul class="pick" data-testid="teams-list">
              {data.map((t: Team) => (
                <li key={t.id}>
                  <button type="button" aria-pressed={open === t.id} onClick={() => setOpen(t.id)}>
                    <span>{t.name}</span>
                    <span class="hint">
                      {t.members} {t.members === 1 ? 'member' : 'members'}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
        {open && <Members api={api} teamId={open} onChange={reload} />}
      </div>
    </>
  );
}

function Members({ api, teamId, onChange }: { api: Api; teamId: string; onChange: () => void }) {
  const { data, error, setError, reload } = useLoad(() => api.team(teamId), [teamId]);
  const act = async (f: () => Promise<unknown>) => {
    try {
      await f();
      reload();
      onChange();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const add = (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const email = String(new FormData(form).get('email'));
    act(async () => {
      await api.addMember(teamId, email);
      form.reset();
    });
  };
  return (
    <section class="panel" aria-labelledby="members-title" data-testid="team-members">
      <h2 id="members-title">{data ? `${data.name} · members` : 'Members'}</h2>
      <Alert text={error} />
      <form class="inline-form" onSubmit={add}>
        <label>
          Add by email
          <input name="email" type="email" required placeholder="dev@example.com" />
        </label>
        <button type="submit">Add member</button>
      </form>
      {data && data.member_list.length === 0 && <p class="empty">No members yet.</p>}
      {data && data.member_list.length > 0 && (
        <ul class="members">
          {data.member_list.map((m) => (
            <li key={m.user_id}>
              <span>{m.email}</span>
              <button
                type="button"
                class="ghost small"
                aria-label={`Remove ${m.email} from ${data.name}`}
                onClick={() => act(() => api.removeMember(teamId, m.user_id))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function SettingsPanel({ api, session }: { api: Api; session: PageProps['session'] }) {
  const settings = useLoad<Settings>(() => api.settings(), []);
  const content = useLoad<ContentPolicy>(() => policy(session.workspace_id), []);
  const [draft, setDraft] = useState<Partial<ContentPolicy>>({});
  const [saved, setSaved] = useState('');
  const s = settings.data;
  const p = content.data && { ...content.data, ...draft };
  const save = async (e: Event) => {
    e.preventDefault();
    try {
      await setPolicy(session, draft);
      setDraft({});
      setSaved('Saved. New records follow the new policy.');
      content.reload();
    } catch (err) {
      content.setError((err as Error).message);
    }
  };
  return (
    <div class="two">
      <section class="panel" aria-labelledby="analytics-settings-title">
        <h2 id="analytics-settings-title">Analytics</h2>
        <Alert text={settings.error} />
        {s ? (
          <dl class="settings" data-testid="settings">
            <div>
              <dt>Emails in usage rows and exports</dt>
              <dd data-testid="show-emails">{s.show_emails ? 'Shown' : 'Hidden (user ids only)'}</dd>
            </div>
            <div>
              <dt>Smallest team shown alone</dt>
              <dd data-testid="min-team-size">{s.min_team_size} members</dd>
            </div>
            <div>
              <dt>Lookback</dt>
              <dd>{s.lookback_days} days</dd>
            </div>
            <div>
              <dt>Public address</dt>
              <dd>{s.public_url ?? 'not set (developers are shown this page’s address)'}</dd>
            </div>
          </dl>
        ) : (
          <p class="loading">Loading…</p>
        )}
        <p class="hint">
          Set in the <code>[analytics]</code> section of the server’s config file (or <code>STEWARD_ANALYTICS_*</code>);
          they apply when <code>steward serve</code> starts.
        </p>
      </section>
      <section class="panel" aria-labelledby="policy-title">
        <h2 id="policy-title">Content policy</h2>
        <Alert text={content.error} />
        {p ? (
          <form class="policy" onSubmit={save}>
            {CONTENT_FIELDS.map(([f, label]) => (
              <label key={f}>
                {label}
                <select
                  value={String(p[f])}
                  onChange={(e) => (setSaved(''), setDraft({ ...draft, [f]: (e.target as HTMLSelectElement).value }))}
                >
                  {CONTENT_MODES.map(([v, t]) => (
                    <option key={v} value={v}>
                      {t}
                    </option>
                  ))}
                </select>
              </label>
            ))}
            <label class="check">
              <input
                type="checkbox"
                checked={p.dlp_redact}
                onChange={(e) => (
                  setSaved(''), setDraft({ ...draft, dlp_redact: (e.target as HTMLInputElement).checked })
                )}
              />
              Redact secrets and DLP terms in stored text
            </label>
            <div class="form-foot">
              <button type="submit" disabled={Object.keys(draft).length === 0}>
                Save policy
              </button>
              {saved && <span role="status">{saved}</span>}
            </div>
          </form>
        ) : (
          <p class="loading">Loading…</p>
        )}
      </section>
    </div>
  );
}
