import { describe, expect, it } from 'vitest';
import { AnswerCache } from './answer-cache.ts';

describe('AnswerCache', () => {
  it('computes once per key; another object of the same shape is another key', async () => {
    const cache = new AnswerCache(8);
    const scope = { kind: 'all' };
    let computed = 0;
    const ask = (loaded: object) => cache.get([loaded, scope, 'q'], async () => ++computed);
    const first = {};
    expect(await ask(first)).toBe(1);
    expect(await ask(first)).toBe(1);
    expect(await ask({})).toBe(2);
    expect(await cache.get([first, { kind: 'all' }, 'q'], async () => ++computed)).toBe(3);
    expect(await cache.get([first, scope, 'other'], async () => ++computed)).toBe(4);
  });

  it('keeps the most recently used, up to its capacity', async () => {
    const cache = new AnswerCache(2);
    const o = {};
    let computed = 0;
    const ask = (q: string) => cache.get([o, q], async () => `${q}${++computed}`);
    await ask('a');
    await ask('b');
    expect(await ask('a')).toBe('a1'); // a is now the most recent
    await ask('c'); // drops b
    expect(cache.size).toBe(2);
    expect(await ask('a')).toBe('a1');
    expect(await ask('b')).toBe('b4');
  });

  it('does not keep a failure', async () => {
    const cache = new AnswerCache();
    const o = {};
    await expect(cache.get([o], () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await cache.get([o], async () => 'ok')).toBe('ok');
  });
});
