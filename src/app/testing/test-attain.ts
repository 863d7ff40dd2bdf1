import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config/config.ts';
import { createTestStore, type TestDatabaseKind } from '../../store/testing/test-store.ts';
import { assembleAttain, type Attain } from '../create-attain.ts';
import { fixedClock, type Clock } from '../ports.ts';

/** An Attain over a fresh test database, with a fixed clock and no demo; `dispose` removes it all. */
export async function createTestAttain(
  kind: TestDatabaseKind,
  env: Record<string, string> = {},
  clock: Clock = fixedClock('2026-11-23T09:00:00.000Z'),
): Promise<Attain & { dispose(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attain-test-app-'));
  const config = loadConfig({ ATTAIN_DATA_DIR: dataDir, ATTAIN_DEMO: 'false', NODE_ENV: 'test', ...env });
  const store = await createTestStore(kind);
  const attain = await assembleAttain(config, store, clock);
  return {
    ...attain,
    async dispose() {
      await store.dispose();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
