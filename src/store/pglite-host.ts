/**
 * Child process that owns the embedded database: PGlite (PostgreSQL compiled to WASM) on a data
 * directory, served over the PostgreSQL wire protocol on a loopback port. The server process talks
 * to it with the same `pg` driver it uses for a PostgreSQL server, and a slow query here never
 * blocks the server's event loop.
 *
 * Durability: PGlite starts PostgreSQL with `-F` (fsync off) and emscripten's NODEFS has no fsync
 * operation, so by default a committed transaction may live only in the OS page cache. We start
 * without `-F`, force `wal_sync_method=fsync` (emscripten's fdatasync is a no-op) and give NODEFS a
 * real fsync, so COMMIT returns only after the WAL is on disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

type EmscriptenStream = { nfd?: number };
type EmscriptenModule = {
  FS: { filesystems: { NODEFS: { stream_ops: { fsync?: (stream: EmscriptenStream) => number } } } };
};

let fsyncCalls = 0;

/** NodeFS whose streams really reach the disk when PostgreSQL asks for fsync. */
class DurableNodeFS extends NodeFS {
  override async init(pg: PGlite, opts: Parameters<NodeFS['init']>[1]) {
    const result = await super.init(pg, opts);
    const preRun = result.emscriptenOpts.preRun ?? [];
    result.emscriptenOpts = {
      ...result.emscriptenOpts,
      preRun: [
        ...preRun,
        (mod: EmscriptenModule) => {
          mod.FS.filesystems.NODEFS.stream_ops.fsync = (stream) => {
            // Directories and devices carry no host descriptor; only regular files are synced.
            if (typeof stream.nfd === 'number') {
              fs.fsyncSync(stream.nfd);
              fsyncCalls++;
            }
            return 0;
          };
        },
      ],
    };
    return result;
  }
}

/** fsync every file and directory below `dir` (what `initdb --sync-only` does). */
function syncDirectory(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) syncDirectory(full);
    else if (entry.isFile()) {
      const fd = fs.openSync(full, 'r');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
    }
  }
  const fd = fs.openSync(dir, 'r');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
}

const defaultStartParams: string[] = (PGlite as unknown as { defaultStartParams: string[] })
  .defaultStartParams;

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  const durable = process.argv[3] !== 'relaxed';
  if (!dataDir) throw new Error('usage: pglite-host <data-dir> [durable|relaxed]');
  fs.mkdirSync(dataDir, { recursive: true });
  const startParams = durable
    ? [
        ...defaultStartParams.filter((p) => p !== '-F'),
        '-c',
        'fsync=on',
        '-c',
        'wal_sync_method=fsync',
        '-c',
        'synchronous_commit=on',
      ]
    : defaultStartParams;
  let db: PGlite;
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    // Like PostgreSQL's own initdb, create the cluster without per-file fsync: in memory (about
    // twice as fast as through the file system), written out once, then synced once.
    const fresh = await PGlite.create();
    const image = await fresh.dumpDataDir('none');
    await fresh.close();
    db = await PGlite.create({ fs: new DurableNodeFS(dataDir), startParams, loadDataDir: image });
    if (durable) syncDirectory(dataDir);
  } else {
    db = await PGlite.create({ fs: new DurableNodeFS(dataDir), startParams });
  }
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  const address = (server as unknown as { server: { address(): { port: number } } }).server.address();
  process.send?.({ type: 'ready', port: address.port });
  process.on('message', async (message: { type: string }) => {
    if (message.type === 'stats') {
      process.send?.({ type: 'stats', fsyncCalls });
    } else if (message.type === 'stop') {
      await server.stop();
      await db.close();
      process.send?.({ type: 'stopped' });
      process.exit(0);
    }
  });
  // The parent going away must not leave an orphan holding the data directory.
  process.on('disconnect', () => {
    void server.stop().finally(() => db.close().finally(() => process.exit(0)));
  });
}

main().catch((error: unknown) => {
  process.send?.({
    type: 'error',
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  process.exit(1);
});
