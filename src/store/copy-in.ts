/**
 * `COPY … FROM STDIN` on a pg client: pg has no COPY-in API of its own and pg-copy-streams is not a
 * dependency, so this speaks the same Submittable protocol it uses (pg calls `handleCopyInResponse`
 * once the server is ready for data), with back-pressure on the socket. Used by the comp run's
 * statement lines (comp_statement_lines) and by the benchmark's data generator.
 *
 * The producer may be async: between chunks the pump yields to the event loop every few
 * megabytes, so a long COPY does not starve other work of the process (progress polls).
 *
 * PGlite's socket host does not take COPY FROM STDIN (its single-user backend ends the connection
 * on the first CopyData message), so callers write to PGlite another way (see statement-lines.ts).
 */
import type pg from 'pg';

type CopyConnection = {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
  stream: { writableLength: number; once(event: 'drain', listener: () => void): void };
};

const HIGH_WATER = 8 * 1024 * 1024;
const YIELD_EVERY = 4 * 1024 * 1024;

/** Runs `copySql` (a `COPY … FROM STDIN`), sending what `produce` yields; resolves with the rows the server reports. */
export function copyIn(
  client: pg.ClientBase,
  copySql: string,
  produce: () => Iterable<string | Buffer> | AsyncIterable<string | Buffer>,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let rows = 0;
    let failed = false;
    let producerError: unknown;
    const submittable = {
      submit(connection: CopyConnection) {
        connection.query(copySql);
      },
      handleCopyInResponse(connection: CopyConnection) {
        const source = produce();
        const iterator =
          Symbol.asyncIterator in source
            ? source[Symbol.asyncIterator]()
            : (source as Iterable<string | Buffer>)[Symbol.iterator]();
        let sinceYield = 0;
        const pump = async () => {
          try {
            while (!failed) {
              const next = await iterator.next();
              if (next.done) {
                connection.endCopyFrom();
                return;
              }
              const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
              connection.sendCopyFromChunk(chunk);
              sinceYield += chunk.length;
              if (connection.stream.writableLength > HIGH_WATER) {
                sinceYield = 0;
                connection.stream.once('drain', () => void pump());
                return;
              }
              if (sinceYield > YIELD_EVERY) {
                sinceYield = 0;
                await new Promise((r) => setImmediate(r));
              }
            }
          } catch (error) {
            failed = true;
            producerError = error;
            connection.sendCopyFail(error instanceof Error ? error.message : String(error));
          }
        };
        void pump();
      },
      handleCommandComplete(message: { text?: string }) {
        const match = /(\d+)$/.exec(message.text ?? '');
        rows = match ? Number(match[1]) : rows;
      },
      handleEmptyQuery() {},
      handleReadyForQuery() {
        resolve(rows);
      },
      handleError(error: Error) {
        failed = true;
        // the producer's own error, when it is why the server stopped the COPY
        reject(producerError ?? error);
      },
    };
    client.query(submittable as never);
  });
}

/** Text-format COPY field: `\N` for null, backslash, tab and line breaks escaped. */
export function copyField(value: string | null): string {
  if (value === null) return '\\N';
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : value;
}
