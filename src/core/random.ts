// A seeded PRNG (mulberry32, as bench/support/prng.ts): `steward demo --seed` makes the same data on
// every run and machine. Eight lines; the seedable libraries on npm are bigger than what they save.
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
