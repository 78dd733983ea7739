// The admin page's Teams tab: create teams, add and remove members.
import { useState } from 'preact/hooks';
import type { Team } from './people-api.js';
import { Alert, type Api, useLoad } from './admin-parts.js';

export function Teams({ api }: { api: Api }) {
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
