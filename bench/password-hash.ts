// The cost of one password check (argon2id at the parameters in src/app/auth/secrets.ts):
// npx tsx bench/password-hash.ts [--runs 20]
import { parseArgs } from 'node:util';
import { hashPassword, verifyPassword } from '../src/app/auth/secrets.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const runs = Number(values.runs);
const hash = await hashPassword('correct horse battery staple');
const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const started = performance.now();
  await verifyPassword(hash, 'correct horse battery staple');
  times.push(performance.now() - started);
}
times.sort((a, b) => a - b);
const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
console.log(`argon2id verify, ${runs} runs: p50 ${at(0.5)} ms, min ${at(0)} ms, max ${at(1)} ms`);
