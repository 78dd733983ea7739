// Which databases the suite runs on: both by default (CI runs both), or the comma-separated list in
// STEWARD_TEST_DIALECTS (e.g. `sqlite` on a machine without PostgreSQL). Imports nothing from src/,
// so the e2e tests, which see Steward only from outside, use it too.
export type TestDialect = 'sqlite' | 'postgres';

const KNOWN: readonly TestDialect[] = ['sqlite', 'postgres'];

export function testDialects(value = process.env.STEWARD_TEST_DIALECTS): TestDialect[] {
  const asked = (value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (asked.length === 0) return [...KNOWN];
  const unknown = asked.filter((d) => !(KNOWN as readonly string[]).includes(d));
  if (unknown.length) {
    throw new Error(`STEWARD_TEST_DIALECTS: unknown dialect(s) ${unknown.join(', ')} (use sqlite, postgres or both)`);
  }
  return KNOWN.filter((d) => asked.includes(d));
}
