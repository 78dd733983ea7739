// What a batch stored, as every ingest answer reports it: the one definition (decisions/0003).
import type { EnrichedEvent } from './events.js';

export interface IngestCounts {
  threads: number; // threads stored for the first time
  turns: number; // turns stored for the first time (helper turns included: they are facts)
  requests: number; // model responses stored for the first time
  tools: number; // tool calls stored or completed (a result joining its decision) by this batch
  // Turns and responses of the batch that were not new: replays, repeats within the batch, and
  // facts the other source already stored (decisions/0007).
  duplicates: number;
  // Other Codex events kept (decisions/0024): skill invocations, guardian assessments, risk scores,
  // and of those `unknown`: event names or line types Steward has no meaning for yet.
  skills: number;
  events: number;
  unknown: number;
}

export const noCounts = (): IngestCounts => ({
  threads: 0,
  turns: 0,
  requests: 0,
  tools: 0,
  duplicates: 0,
  skills: 0,
  events: 0,
  unknown: 0,
});

/** The counts of a batch, from its events and those of them that were stored for the first time. */
export function countsOf(events: readonly EnrichedEvent[], fresh: readonly EnrichedEvent[]): IngestCounts {
  const c = noCounts();
  for (const f of fresh) {
    if (f.event.kind === 'thread_started') c.threads++;
    else if (f.event.kind === 'turn') c.turns++;
    else if (f.event.kind === 'response') c.requests++;
    else if (f.event.kind === 'observation') {
      c.events++;
      if (f.event.category === 'skill_invocation') c.skills++;
      if (f.event.category === 'unknown') c.unknown++;
    } else c.tools++;
  }
  let countable = 0;
  for (const e of events) if (e.event.kind === 'turn' || e.event.kind === 'response') countable++;
  c.duplicates = Math.max(0, countable - c.turns - c.requests);
  return c;
}
