import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config/config.ts';
import { AppError } from '../domain/errors.ts';
import { translateDatabaseError } from './database-error.ts';
import type { Database } from './schema.ts';

export type Store = {
  db: Kysely<Database>;
  kind: DatabaseConfig['kind'];
  /** The raw pool, for bulk statements Kysely does not model (unnest inserts, cursors). */
  pool: pg.Pool;
  /** The embedded database's process id (undefined on a server): for crash tests. */
  hostPid?: number;
  /** Counts of real fsync calls made by the embedded database (undefined on a server). */
  fsyncCalls(): Promise<number | undefined>;
  close(): Promise<void>;
};

const INT8_OID = 20;
const DATE_OID = 1082;
const TIMESTAMPTZ_OID = 1184;
const TIMESTAMP_OID = 1114;

/**
 * int8 as an exact number; beyond Number.MAX_SAFE_INTEGER as a JS bigint, never rounded. (A parser
 * must not throw: pg would drop the connection.)
 */
function parseInt8(text: string): number | bigint {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : BigInt(text);
}

/** Per-pool type parsers: exact integers, dates as plain 'YYYY-MM-DD', instants as ISO-8601. */
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return parseInt8;
    if (oid === DATE_OID) return (text: string) => text;
    if (oid === TIMESTAMPTZ_OID || oid === TIMESTAMP_OID)
      return (text: string) => new Date(text).toISOString();
    return pg.types.getTypeParser(oid, format);
  },
};

const hostScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pglite-host.ts');

type HostMessage =
  | { type: 'ready'; port: number }
  | { type: 'error'; message: string }
  | { type: 'stats'; fsyncCalls: number }
  | { type: 'stopped' };

/** Starts the embedded database's host process on a data directory and waits until it listens. */
async function startPgliteHost(
  dataDir: string,
  durable: boolean,
): Promise<{ child: ChildProcess; port: number }> {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockFile = path.join(dataDir, 'attain.lock');
  acquireLock(lockFile);
  const child = fork(hostScript, [path.join(dataDir, 'pgdata'), durable ? 'durable' : 'relaxed'], {
    execArgv: ['--import', import.meta.resolve('tsx')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const onMessage = (message: HostMessage) => {
      if (message.type === 'ready') resolve(message.port);
      else if (message.type === 'error')
        reject(new AppError('unavailable', `The embedded database did not start: ${message.message}`));
    };
    child.on('message', onMessage);
    child.once('exit', (code) =>
      reject(new AppError('unavailable', `The embedded database exited with code ${code} while starting`)),
    );
  });
  child.once('exit', () => fs.rmSync(lockFile, { force: true }));
  return { child, port };
}

/** One process per data directory: two would corrupt it. A stale lock (dead pid) is taken over. */
function acquireLock(lockFile: string): void {
  try {
    fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
    return;
  } catch {
    const pid = Number(fs.readFileSync(lockFile, 'utf8'));
    if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) {
      throw new AppError(
        'conflict',
        `The data directory ${path.dirname(lockFile)} is in use by process ${pid}. Stop it, or set ATTAIN_DATA_DIR to another directory.`,
      );
    }
    fs.writeFileSync(lockFile, String(process.pid));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function request<T extends HostMessage['type']>(
  child: ChildProcess,
  type: string,
  reply: T,
): Promise<Extract<HostMessage, { type: T }>> {
  return new Promise((resolve) => {
    const onMessage = (message: HostMessage) => {
      if (message.type === reply) {
        child.off('message', onMessage);
        resolve(message as Extract<HostMessage, { type: T }>);
      }
    };
    child.on('message', onMessage);
    child.send({ type });
  });
}

export type OpenOptions = {
  /** Embedded only: skip fsync (throwaway test databases). Never for a system of record. */
  relaxedDurability?: boolean;
  poolSize?: number;
};

/** Opens the store: the embedded database in its own process, or a PostgreSQL server. */
export async function openDatabase(config: DatabaseConfig, options: OpenOptions = {}): Promise<Store> {
  let child: ChildProcess | undefined;
  let poolConfig: pg.PoolConfig;
  if (config.kind === 'pglite') {
    const host = await startPgliteHost(config.dataDir, !options.relaxedDurability);
    child = host.child;
    // PGlite is one backend: one connection, so a transaction is never interleaved with another
    // request's statements. Requests queue in the pool instead.
    poolConfig = { host: '127.0.0.1', port: host.port, user: 'postgres', database: 'postgres', max: 1 };
  } else {
    poolConfig = { connectionString: config.url, max: options.poolSize ?? 10 };
  }
  const pool = new pg.Pool({ ...poolConfig, types: typeParsers, idleTimeoutMillis: 0 });
  pool.on('error', () => {
    // A dropped idle client is replaced on the next checkout; the query that needs it reports.
  });
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    child?.kill();
    throw translateDatabaseError(error);
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: config.kind,
    pool,
    hostPid: child?.pid,
    async fsyncCalls() {
      if (!child) return undefined;
      return (await request(child, 'stats', 'stats')).fsyncCalls;
    },
    async close() {
      await db.destroy().catch(() => undefined);
      // Kysely ends the pool only if it ran a query itself; a store used through `pool` alone
      // would otherwise keep the process alive.
      if (!pool.ended) await pool.end().catch(() => undefined);
      if (child && child.connected) {
        const exited = new Promise((resolve) => child!.once('exit', resolve));
        child.send({ type: 'stop' });
        await exited;
      }
    },
  };
}
