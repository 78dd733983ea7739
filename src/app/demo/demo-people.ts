// The demo's population: who works here, in which team, on which surfaces and models, how much, and
// since when. Pure and seeded: the same spec gives the same people, so a test can recompute
// every figure the generator wrote.
import { prng } from '../../core/random.js';

export interface DemoSpec {
  users: number;
  days: number;
  seed: number;
  /** The demo's clock (epoch ms): the last day generated is the one containing it. */
  now: number;
}

// The first people: one of each role that signs in to the dashboard; everyone else is a member.
const ROLES = ['owner', 'analytics_viewer', 'security_owner', 'team_lead', 'member'] as const;

export interface DemoPerson {
  index: number;
  email: string;
  name: string;
  githubLogin: string;
  role: (typeof ROLES)[number];
  team: number | null;
  /** Never sends anything, though some hold a key (the adoption page's "seats never used"). */
  neverActive: boolean;
  hasKey: boolean;
  /** First and last day index (0 = the oldest day) on which they may be active. */
  firstDay: number;
  lastDay: number;
  /** Chance of being active on a weekday (weekends: a fraction of it). */
  rate: number;
  /** Mean turns on an active day: heavy-tailed across people (log-normal). */
  intensity: number;
  /** Weights over SURFACES and MODELS. */
  surfaces: number[];
  models: number[];
}

export interface DemoTeam {
  name: string;
  members: number[]; // person indexes
}

// Originators as Codex sends them, one per surface the dashboard shows (core/clients.ts maps them).
export const SURFACES = [
  'codex_cli_rs', // CLI
  'codex_exec', // CLI, non-interactive
  'codex_vscode', // IDE extension
  'codex_jetbrains', // IDE extension
  'codex_desktop', // desktop app
  'codex_web', // cloud tasks
  'codex_github', // Code Review on GitHub
] as const;
const SURFACE_BASE = [30, 8, 28, 6, 12, 10, 6];

export const MODELS = ['gpt-5.5', 'gpt-5.4', 'gpt-5.3-codex', 'gpt-5.1-codex-max', 'gpt-5.4-mini', 'gpt-5-mini'];
const MODEL_BASE = [22, 26, 24, 10, 12, 6];

const FIRST = ['ada', 'alan', 'grace', 'linus', 'barbara', 'ken', 'margaret', 'dennis', 'frances', 'edsger'];
const LAST = ['lovelace', 'turing', 'hopper', 'torvalds', 'liskov', 'thompson', 'hamilton', 'ritchie', 'allen'];
const TEAM_NAMES = [
  'platform',
  'payments',
  'search',
  'mobile',
  'web',
  'data',
  'infra',
  'security',
  'growth',
  'billing',
  'identity',
  'ml',
  'devex',
  'api',
  'checkout',
  'ads',
  'maps',
  'support-tools',
  'sre',
  'storage',
];

/** A normal variate from two uniforms (Box-Muller). */
export function gaussian(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

function jitter(base: number[], rnd: () => number, spread: number): number[] {
  return base.map((w) => w * Math.exp(spread * gaussian(rnd)));
}

/** The index drawn from weights. */
export function pick(weights: readonly number[], rnd: () => number): number {
  let total = 0;
  for (const w of weights) total += w;
  let x = rnd() * total;
  for (let i = 0; i < weights.length; i++) if ((x -= weights[i]!) < 0) return i;
  return weights.length - 1;
}

// A few dozen teams for 10,000 people (one per ~280, at least three), sizes heavy-tailed, a few of
// them below the usual privacy floor of five members; about one person in ten is in no team.
function teamsFor(people: number, rnd: () => number): DemoTeam[] {
  const count = Math.max(3, Math.round(people / 280));
  const small = Math.max(1, Math.round(count / 8));
  const weights = Array.from({ length: count }, (_, i) => (i < small ? 0 : Math.exp(0.8 * gaussian(rnd))));
  const teams: DemoTeam[] = Array.from({ length: count }, (_, i) => ({
    name: i < TEAM_NAMES.length ? TEAM_NAMES[i]! : `${TEAM_NAMES[i % TEAM_NAMES.length]}-${Math.floor(i / 20) + 1}`,
    members: [],
  }));
  let next = 0;
  for (let i = 0; i < small && next < people; i++) {
    const size = 2 + Math.floor(rnd() * 3); // 2..4: folded into "other" for most viewers
    for (let k = 0; k < size && next < people; k++) teams[i]!.members.push(next++);
  }
  for (; next < people; next++) if (rnd() >= 0.1) teams[pick(weights, rnd)]!.members.push(next);
  return teams;
}

export function demoPeople(spec: DemoSpec): { people: DemoPerson[]; teams: DemoTeam[] } {
  const rnd = prng(spec.seed);
  const teams = teamsFor(spec.users, rnd);
  const teamOf = new Map<number, number>();
  teams.forEach((t, ti) => {
    for (const m of t.members) teamOf.set(m, ti);
  });
  const people: DemoPerson[] = [];
  for (let i = 0; i < spec.users; i++) {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
    // The last person holds a key and never used it, so a small demo has such a seat too.
    const neverActive = i === spec.users - 1 || (i > 4 && rnd() < 0.05);
    // Adoption grows: 45 % use Codex from the first day, the rest start later, more of them early.
    const firstDay = rnd() < 0.45 ? 0 : Math.floor(Math.pow(rnd(), 1.4) * spec.days);
    // Some have stopped: inactive for more than 14, 30 or 60 days by the last day.
    const gone = rnd();
    const stop = gone < 0.04 ? 15 : gone < 0.07 ? 31 : gone < 0.09 ? 61 : 0;
    people.push({
      index: i,
      email: `${first}.${last}${i}@demo.example`,
      name: `${first[0]!.toUpperCase()}${first.slice(1)} ${last[0]!.toUpperCase()}${last.slice(1)}`,
      githubLogin: `${first}-${last}-${i}`,
      role: ROLES[i] ?? 'member',
      team: teamOf.get(i) ?? null,
      neverActive,
      hasKey: neverActive ? i === spec.users - 1 || rnd() < 0.6 : true,
      firstDay,
      lastDay: spec.days - 1 - stop,
      rate: 0.35 + 0.6 * rnd(),
      intensity: Math.min(40, 1.8 * Math.exp(0.9 * gaussian(rnd))),
      surfaces: jitter(SURFACE_BASE, rnd, 1.2),
      models: jitter(MODEL_BASE, rnd, 1),
    });
  }
  // The owner and the viewer signing in to the demo see a full page of their own.
  for (const p of people.slice(0, 2)) Object.assign(p, { neverActive: false, firstDay: 0, lastDay: spec.days - 1 });
  return { people, teams };
}
