import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from './open-database.ts';
import { ensurePgliteTemplate } from './testing/test-store.ts';

describe('embedded database durability', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attain-durable-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('fsyncs on commit and keeps a committed row when its process is killed', async () => {
    // A copy of the migrated template skips cluster creation; the database then runs durably.
    fs.cpSync(await ensurePgliteTemplate(), dataDir, { recursive: true });
    fs.rmSync(path.join(dataDir, 'attain.lock'), { force: true });
    const store = await openDatabase({ kind: 'pglite', dataDir });
    await store.pool.query('CREATE TABLE ledger (id int PRIMARY KEY, amount_minor bigint NOT NULL)');
    const before = (await store.fsyncCalls())!;
    await store.pool.query('INSERT INTO ledger VALUES (1, 12345)');
    // COMMIT reached the disk through a real fsync, not only the page cache.
    expect((await store.fsyncCalls())!).toBeGreaterThan(before);

    // No clean shutdown: the database process dies at once.
    const exited = new Promise((resolve) => {
      const timer = setInterval(() => {
        try {
          process.kill(store.hostPid!, 0);
        } catch {
          clearInterval(timer);
          resolve(undefined);
        }
      }, 20);
    });
    process.kill(store.hostPid!, 'SIGKILL');
    await exited;
    await store.close();

    const reopened = await openDatabase({ kind: 'pglite', dataDir });
    const { rows } = await reopened.pool.query('SELECT id, amount_minor FROM ledger');
    expect(rows).toEqual([{ id: 1, amount_minor: 12345 }]);
    await reopened.close();
  });

  it('refuses a second process on the same data directory', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attain-locked-'));
    fs.writeFileSync(path.join(dir, 'attain.lock'), String(process.ppid));
    await expect(openDatabase({ kind: 'pglite', dataDir: dir })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('in use by process'),
    });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
