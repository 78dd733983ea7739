// "Holds this text, in any case" in SQL both databases run alike: lower() on both sides (PostgreSQL's
// LIKE is case-sensitive, SQLite's is not beyond ASCII), and the text's own % _ and \ escaped, so a
// search for "50%" finds "50%" and not everything after "50".
import { type Expression, sql } from 'kysely';

export function containsText(column: Expression<string | null>, text: string) {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<boolean>`lower(coalesce(${column}, '')) like ${pattern} escape '\\'`;
}
