import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../store/testing/test-store.ts';
import type { Attain } from '../create-attain.ts';
import { createTestAttain } from '../testing/test-attain.ts';

describe.each(testDatabaseKinds())('the first administrator on %s', (kind) => {
  let attain: Attain & { dispose(): Promise<void> };
  beforeAll(async () => {
    attain = await createTestAttain(kind, { ATTAIN_PUBLIC_URL: 'https://attain.example.com' });
  });
  afterAll(async () => {
    await attain?.dispose();
  });

  it('is created with no password, and its one-time set-up link is printed; each start replaces it until used', async () => {
    const printed: string[] = [];
    await attain.auth.ensureFirstAdmin((line) => printed.push(line));
    const first = /https:\/\/attain\.example\.com\/setup#token=([\w-]+)/.exec(printed.join('\n'))?.[1];
    expect(first).toBeDefined();
    const [admin] = await attain.auth.listUsers();
    expect(admin).toMatchObject({ email: 'admin@attain.local', role: 'admin', hasPassword: false });

    // A restart before the link is used prints a new one; the old one no longer works.
    await attain.auth.ensureFirstAdmin((line) => printed.push(line));
    const second = /setup#token=([\w-]+)/.exec(printed.at(-1)!)?.[1];
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    await expect(attain.auth.describeAccountLink(first!)).rejects.toMatchObject({ code: 'not_found' });

    const session = await attain.auth.completeAccountLink(second!, 'a long and private passphrase', {
      ip: null,
      userAgent: null,
    });
    expect(session.principal.role).toBe('admin');
    // Used once: not again; and with a password set, starts print nothing more.
    await expect(
      attain.auth.completeAccountLink(second!, 'another long passphrase', { ip: null, userAgent: null }),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
    const before = printed.length;
    await attain.auth.ensureFirstAdmin((line) => printed.push(line));
    expect(printed.length).toBe(before);
    expect((await attain.auth.listUsers()).length).toBe(1);
  });
});
