// Series colours that stay with their series: a named series (a priority, a reaction, a decision)
// always has its own colour; any other key (a tool, a repository) the palette entry its name
// hashes to, or, when a key already shown took it, the next free one (keys taken in name order, so
// the same set of keys is coloured the same on every visit and in every range). Each colour reads
// on the light and the dark surface alike.
export const PALETTE = ['#4f7cff', '#f08c2e', '#22a67a', '#d1497b', '#8a63d2', '#2aa3b8', '#b59a1e'];
const GREY = '#7d8597';

const NAMED: Record<string, string> = {
  P0: '#d63b3b',
  P1: '#f08c2e',
  P2: '#d9b321',
  P3: '#4f7cff',
  Unprioritized: GREY,
  Upvotes: '#22a67a',
  Downvotes: '#d1497b',
  Other: '#8a63d2',
  Approved: '#22a67a',
  Denied: '#d63b3b',
  Aborted: '#b59a1e',
  Succeeded: '#22a67a',
  Failed: '#d63b3b',
  Configuration: '#4f7cff',
  User: '#f08c2e',
  'Automated reviewer': '#8a63d2',
  Engaged: '#2aa3b8',
  Replied: '#4f7cff',
  Reacted: '#8a63d2',
  'All others': GREY,
};

function hashOf(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  return h;
}

/** The colour of each key of one chart or list. */
export function coloursFor(keys: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<number>();
  for (const k of keys) if (NAMED[k]) out.set(k, NAMED[k]);
  for (const k of [...keys].filter((k) => !NAMED[k]).sort()) {
    let slot = hashOf(k) % PALETTE.length;
    for (let n = 0; n < PALETTE.length && taken.has(slot); n++) slot = (slot + 1) % PALETTE.length;
    taken.add(slot);
    out.set(k, PALETTE[slot]);
  }
  return out;
}
