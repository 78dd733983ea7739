// Compliance (owner and security owner): search and record view, legal holds, export, chain
// verification and sink health, over the Compliance API. Any other role is refused here as the API
// refuses it (403), and the navigation does not offer the page.
import '../components/panels.css';
import { useState } from 'preact/hooks';
import type { Session } from '../api.js';
import { ComplianceHolds } from './compliance-holds.js';
import { ComplianceExport, ComplianceIntegrity } from './compliance-integrity.js';
import { ComplianceSearch } from './compliance-search.js';

const TABS = [
  ['search', 'Search'],
  ['holds', 'Holds'],
  ['export', 'Export'],
  ['integrity', 'Integrity and sinks'],
] as const;
type Tab = (typeof TABS)[number][0];

export default function Compliance({ session }: { session: Session }) {
  const [tab, setTab] = useState<Tab>('search');
  const [holdThread, setHoldThread] = useState('');
  const keys = (e: KeyboardEvent, i: number) => {
    const to = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : null;
    if (to === null) return;
    const next = TABS[(to + TABS.length) % TABS.length][0];
    setTab(next);
    document.getElementById(`tab-${next}`)?.focus();
  };
  return (
    <>
      <div class="toolbar">
        <h1>Compliance</h1>
        <div role="tablist" aria-label="Compliance" class="tabs">
          {TABS.map(([id, label], i) => (
            <button
              type="button"
              role="tab"
              id={`tab-${id}`}
              key={id}
              aria-selected={tab === id}
              aria-controls={`panel-${id}`}
              tabIndex={tab === id ? 0 : -1}
              class={tab === id ? 'tab on' : 'tab'}
              onClick={() => setTab(id)}
              onKeyDown={(e) => keys(e, i)}
            >
              {label}
            </button>
          ))}
        </div>
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} class="stack">
        {tab === 'search' && (
          <ComplianceSearch
            session={session}
            onHoldThread={(t) => {
              setHoldThread(t);
              setTab('holds');
            }}
          />
        )}
        {tab === 'holds' && <ComplianceHolds session={session} thread={holdThread} />}
        {tab === 'export' && <ComplianceExport session={session} />}
        {tab === 'integrity' && <ComplianceIntegrity session={session} />}
      </div>
    </>
  );
}
