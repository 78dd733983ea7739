// Admin (owners): people (role, reset link, remove), teams (create, members) and settings (the
// analytics settings the server runs with, and the content policy), through the admin and
// Compliance APIs. Every change is audited by the server.
import { useState } from 'preact/hooks';
import { FindBox } from '../components/find-box.js';
import { PagedTable } from '../components/paged-table.js';
import type { Column } from '../components/virtual-table.js';
import { SecretNotice } from '../components/secret.js';
import { fmtDay } from '../format.js';
import type { PageProps } from '../pages.js';
import { admin, type User } from './people-api.js';
import { ROLES, roleName } from './admin-data.js';
import './people.css';
import { Alert, type Api, useLoad } from './admin-parts.js';
import { SettingsPanel } from './admin-settings.js';
import { Teams } from './admin-teams.js';

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

// A page of people at a time, by email, found by a piece of their email or name on the server: a
// workspace of ten thousand is not sent to the page whole.
const PAGE = 100;

function People({ api, self }: { api: Api; self: string }) {
  const [search, setSearch] = useState('');
  const [offset, setOffset] = useState(0);
  const { data, error, setError, reload } = useLoad(
    () => api.findUsers({ search, limit: PAGE, offset }),
    [search, offset],
  );
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
      id: 'email',
      header: 'Email',
      sortable: false, // by email, always: the server's order
      cell: (u) => <a href={`/users/${encodeURIComponent(u.id)}`}>{u.email}</a>,
    },
    { id: 'name', header: 'Name', cell: (u) => u.name ?? '', sortable: false },
    {
      id: 'role',
      header: 'Role',
      sortable: false,
      cell: (u) =>
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
      id: 'status',
      header: 'Status',
      sortable: false,
      cell: (u) => (
        <span class={`badge ${u.removed_at ? 'revoked' : 'active'}`}>
          {u.removed_at ? 'removed' : u.service ? 'service identity' : 'active'}
        </span>
      ),
    },
    { id: 'added', header: 'Added', sortable: false, cell: (u) => fmtDay(u.created_at / 1000) },
    {
      id: 'actions',
      header: 'Actions',
      sortable: false,
      cell: (u) =>
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
        <div class="panel-head">
          <h2 id="people-title">People</h2>
          <FindBox
            placeholder="email or name"
            testId="users-search"
            onFind={(text) => {
              setOffset(0);
              setSearch(text);
            }}
          />
        </div>
        <PagedTable
          label="People"
          columns={columns}
          page={data}
          offset={offset}
          pageSize={PAGE}
          onOffset={setOffset}
          sort={{ id: 'email', desc: false }}
          rowHeader="email"
          rowKey={(u) => u.id}
          empty={search ? `Nobody matches “${search}”.` : 'Nobody yet.'}
          testId="users-table"
          countTestId="users-count"
        />
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
