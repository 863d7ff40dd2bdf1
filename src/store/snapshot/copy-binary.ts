/**
 * Streams `COPY (select) TO STDOUT (FORMAT binary)` through a pg client and hands each row to a
 * callback that reads its fields straight from the bytes.
 *
 * Why not `client.query` with rowMode 'array': pg decodes every field into a JS string, one native
 * call each; a million opportunities with their 3M changes took ~16 s that way (measured with
 * bench/snapshot-load.ts). Binary COPY gives integers, dates and timestamps as big-endian bytes
 * read without a string, and text as UTF-8 bytes a ByteDictionary codes without decoding.
 *
 * Why the socket is read directly while a COPY runs: pg's parser still makes a Buffer, a message
 * object and an event per CopyData message, ~0.5 s of CPU per 4M rows (measured: 1.0 s against
 * 1.6 s for the opportunities and changes streams), and this process's CPU is what limits a load.
 * During the copy this module takes the connection's socket `data` events from pg's parser,
 * decodes CopyData frames in place, and gives the socket back, with the bytes from the first other
 * message on, when the copy ends. That relies on pg's Connection keeping its socket in
 * `connection.stream` with its parser as the only `data` listener (pg 8); when that does not hold,
 * the rows go through pg's documented Submittable path (`handleCopyData`) instead: slower, same
 * result (the tests run both). Works on PostgreSQL and on PGlite (both speak the wire protocol).
 */
import type pg from 'pg';
import { AppError } from '../../domain/errors.ts';
import type { ByteDictionary } from './byte-dictionary.ts';

/** Days from 1970-01-01 to 2000-01-01, PostgreSQL's epoch for binary dates and timestamps. */
const PG_EPOCH_DAYS = 10_957;
const PG_EPOCH_MS = PG_EPOCH_DAYS * 86_400_000;
const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];
const HEADER_LENGTH = 19;
const TWO_32 = 4_294_967_296;
const COPY_DATA = 0x64; // 'd'
const COPY_OUT_RESPONSE = 0x48; // 'H'

/** Reads one row's fields in order; each method consumes one field (length word and value). */
export class TupleReader {
  bytes: Uint8Array = new Uint8Array(0);
  pos = 0;
  /** Where the last `textBytes` value starts; its length is what `textBytes` returned. */
  textStart = 0;
  /** The table and id of the row being read, for error messages; set per row (no string per row). */
  table = '';
  rowId = 0;

  /** 'opportunity_changes 42': which row an error is about. */
  get context(): string {
    return `${this.table} ${this.rowId}`;
  }

  private length(): number {
    const b = this.bytes;
    const p = this.pos;
    this.pos = p + 4;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }

  private int32At(p: number): number {
    const b = this.bytes;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }

  /** A big-endian int64 at p as an exact number; refuses one beyond ±(2^53 - 1) rather than rounding it. */
  private int64At(p: number, what: string): number {
    const high = this.int32At(p);
    const low = this.int32At(p + 4) >>> 0;
    const value = high * TWO_32 + low;
    if (!Number.isSafeInteger(value)) {
      const exact = (BigInt(high) << 32n) | BigInt(low);
      throw new AppError(
        'internal',
        `${this.context}: ${what} ${exact} is beyond the exact range of the snapshot (±2^53)`,
      );
    }
    return value;
  }

  /** An int2, int4 or int8 field (by its width), or `nullValue`. */
  integer(nullValue: number, what: string): number {
    const length = this.length();
    const p = this.pos;
    if (length === -1) return nullValue;
    this.pos = p + length;
    if (length === 4) return this.int32At(p);
    if (length === 8) return this.int64At(p, what);
    if (length === 2) return ((this.bytes[p]! << 24) | (this.bytes[p + 1]! << 16)) >> 16;
    throw new AppError('internal', `${this.context}: ${what} is not an integer column (${length} bytes)`);
  }

  /** A boolean field as 1 or 0; null as 0. */
  flag(): number {
    const length = this.length();
    if (length === -1) return 0;
    const value = this.bytes[this.pos]!;
    this.pos += length;
    return value === 0 ? 0 : 1;
  }

  /** A date field as a day number (days since 1970-01-01), or `nullValue`. */
  dayNumber(nullValue: number, what: string): number {
    const length = this.length();
    if (length === -1) return nullValue;
    const days = this.int32At(this.pos);
    this.pos += length;
    // ±infinity are the extreme int32 values: no day an engine can compute with.
    if (days === 2_147_483_647 || days === -2_147_483_648)
      throw new AppError('internal', `${this.context}: ${what} is an infinite date`);
    return days + PG_EPOCH_DAYS;
  }

  /** A timestamptz field as epoch milliseconds (UTC; microseconds truncated), or `nullValue`. */
  epochMs(nullValue: number, what: string): number {
    const length = this.length();
    if (length === -1) return nullValue;
    const micros = this.int64At(this.pos, what);
    this.pos += length;
    return Math.floor(micros / 1000) + PG_EPOCH_MS;
  }

  /** A text field's dictionary code, or `nullValue`. */
  code(dictionary: ByteDictionary, nullValue: number): number {
    const length = this.length();
    if (length === -1) return nullValue;
    const code = dictionary.codeOf(this.bytes, this.pos, length);
    this.pos += length;
    return code;
  }

  /** A text field's bytes: returns their length (-1 for null) and leaves their start in `textStart`. */
  textBytes(): number {
    const length = this.length();
    this.textStart = this.pos;
    if (length > 0) this.pos += length;
    return length;
  }
}

type DataListener = (buffer: Buffer) => void;
type SocketLike = {
  listeners(event: 'data'): DataListener[];
  on(event: 'data', listener: DataListener): void;
  removeListener(event: 'data', listener: DataListener): void;
};
type Connection = { query(text: string): void; stream?: SocketLike };

export type CopyOptions = {
  /** Read the socket directly during the copy (default); false forces pg's message path. */
  direct?: boolean;
};

/**
 * Runs `COPY (select) TO STDOUT (FORMAT binary)` and calls `onTuple` once per row with the reader
 * at the row's first field; resolves with the number of rows. `select` is interpolated (COPY takes
 * no parameters): build it only from constants and numbers.
 */
export function copyTuples(
  client: pg.PoolClient,
  select: string,
  columns: number,
  onTuple: (reader: TupleReader) => void,
  options: CopyOptions = {},
): Promise<number> {
  const reader = new TupleReader();
  let rows = 0;
  let headerRead = false;
  let failure: unknown;

  /** Decodes the CopyData payload bytes[start, end): one row (the header riding on the first). */
  const tuple = (bytes: Uint8Array, start: number, end: number) => {
    // Called from socket handlers: a throw there would break the connection, so a failure is kept
    // and reported once the server has finished the statement.
    if (failure !== undefined) return;
    try {
      let pos = start;
      if (!headerRead) {
        for (let i = 0; i < SIGNATURE.length; i++) {
          if (bytes[start + i] !== SIGNATURE[i])
            throw new AppError('internal', 'COPY did not answer in binary format');
        }
        const extension =
          (bytes[start + 15]! << 24) |
          (bytes[start + 16]! << 16) |
          (bytes[start + 17]! << 8) |
          bytes[start + 18]!;
        pos = start + HEADER_LENGTH + extension;
        headerRead = true;
      }
      const fields = ((bytes[pos]! << 24) | (bytes[pos + 1]! << 16)) >> 16;
      if (fields === -1) return; // the trailer
      if (fields !== columns)
        throw new AppError('internal', `COPY returned ${fields} columns, expected ${columns}`);
      reader.bytes = bytes;
      reader.pos = pos + 2;
      onTuple(reader);
      if (reader.pos !== end)
        throw new AppError('internal', `${reader.context}: the row's fields do not match the decoder`);
      rows++;
    } catch (error) {
      failure = error;
    }
  };

  return new Promise<number>((resolve, reject) => {
    const submittable = {
      submit(connection: Connection) {
        if (options.direct !== false) readSocketDuringCopy(connection, tuple);
        connection.query(`COPY (${select}) TO STDOUT (FORMAT binary)`);
      },
      handleCopyData(message: { chunk: Uint8Array }) {
        tuple(message.chunk, 0, message.chunk.length);
      },
      handleCommandComplete() {},
      handleEmptyQuery() {},
      handleReadyForQuery() {
        if (failure !== undefined) reject(failure);
        else resolve(rows);
      },
      handleError(error: Error) {
        // pg detaches the query on an error: no ReadyForQuery reaches it after this.
        reject(error);
      },
    };
    client.query(submittable as never);
  });
}

/**
 * Takes the socket's `data` events from pg's parser until the first message that is neither
 * CopyOutResponse nor CopyData (CopyDone, an error, a notice), decoding CopyData frames in place;
 * then gives the socket back and replays the bytes from that message on to pg's parser.
 */
function readSocketDuringCopy(
  connection: Connection,
  tuple: (bytes: Uint8Array, start: number, end: number) => void,
): void {
  const stream = connection.stream;
  const listeners = stream?.listeners('data') ?? [];
  if (!stream || listeners.length !== 1) return; // not the pg we know: stay on the documented path
  const pgParser = listeners[0]!;
  let pending: Buffer | undefined;

  const handBack = (rest: Buffer) => {
    stream.removeListener('data', onData);
    stream.on('data', pgParser);
    if (rest.length > 0) pgParser(rest);
  };

  /** Consumes whole copy messages from `data` at `offset`; returns the offset of the first byte not consumed, or -1 after handing back. */
  const consume = (data: Buffer, offset: number): number => {
    while (data.length - offset >= 5) {
      const code = data[offset]!;
      if (code !== COPY_DATA && code !== COPY_OUT_RESPONSE) {
        handBack(data.subarray(offset));
        return -1;
      }
      const end = offset + 1 + data.readUInt32BE(offset + 1);
      if (end > data.length) break;
      if (code === COPY_DATA) tuple(data, offset + 5, end);
      offset = end;
    }
    return offset;
  };

  const onData: DataListener = (buffer) => {
    let data = buffer;
    let offset = 0;
    if (pending) {
      const total = pending.length >= 5 ? 1 + pending.readUInt32BE(1) : -1;
      const missing = total - pending.length;
      if (total === -1 || missing > buffer.length) {
        data = Buffer.concat([pending, buffer]);
        pending = undefined;
      } else {
        // Complete the message that straddles two chunks without copying the whole new chunk.
        const straddling = Buffer.concat([pending, buffer.subarray(0, missing)]);
        pending = undefined;
        if (consume(straddling, 0) === -1) {
          // It was not a copy message: pg has it now, and gets everything after it too.
          if (buffer.length > missing) pgParser(buffer.subarray(missing));
          return;
        }
        offset = missing;
      }
    }
    const next = consume(data, offset);
    if (next === -1) return;
    if (next < data.length) pending = Buffer.from(data.subarray(next));
  };

  stream.removeListener('data', pgParser);
  stream.on('data', onData);
}
