// Sign-in cost: one argon2id verification with the parameters Steward stores (accounts/password.service.ts),
// the work every sign-in (and every unknown-email attempt) does. Run: node --import tsx bench/accounts.bench.ts
import { hashPassword, verifyPassword } from '../src/accounts/password.service.js';

const RUNS = Number(process.argv[2] ?? 20);
const stored = await hashPassword('correct horse battery staple');
await verifyPassword(stored, 'warm up the pages');
const ms: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  await verifyPassword(stored, i % 2 ? 'correct horse battery staple' : 'a wrong password here');
  ms.push(performance.now() - t0);
}
ms.sort((a, b) => a - b);
const q = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]!.toFixed(1);
console.log(
  `argon2id ${stored.split('$')[3]}: verify p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, max ${q(1)} ms (${RUNS} runs)`,
);
