// Number and date formats, one place: the same figure reads the same on every panel.
const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const dec = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const pct = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1, signDisplay: 'always' });

export const fmtInt = (n: number) => int.format(n);
export const fmtDec = (n: number) => dec.format(n);
export const fmtUsd = (n: number) => usd.format(n);
export const fmtCompact = (n: number) => compact.format(n);
export const fmtPct = (n: number) => pct.format(n);

/** A UTC day, e.g. "3 Dec 2026" (buckets are UTC days or weeks from Monday). */
export function fmtDay(seconds: number): string {
  return new Date(seconds * 1000).toLocaleDateString('en-GB', {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  });
}
