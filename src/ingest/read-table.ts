import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import Papa from 'papaparse';
import ExcelJS from 'exceljs';
import { AppError } from '../domain/errors.ts';

/** One data row of a table: its 1-based line in the file (the header is line 1) and its cells. */
export type TableRow = { line: number; cells: string[] };

export type TableFormat = 'csv' | 'xlsx';

/** A streamed table: the header, then rows one at a time; never the whole file in memory. */
export type Table = {
  fileName: string;
  format: TableFormat;
  header: string[];
  totalBytes: number;
  bytesRead(): number;
  rows: AsyncIterable<TableRow>;
  close(): void;
};

/** Names the file when it cannot be read, before anything else is done. */
export function assertReadableFile(filePath: string, displayName = path.basename(filePath)): void {
  try {
    if (!fs.statSync(filePath).isFile()) throw new Error('not a file');
    fs.accessSync(filePath, fs.constants.R_OK);
  } catch {
    throw new AppError('validation', `${displayName}: no such file, or it cannot be read (${filePath}).`, [
      { file: displayName, message: 'no such file, or not readable' },
    ]);
  }
}

/** Detects the format from the file's first bytes (a ZIP signature is XLSX), not its name. */
export function detectFormat(filePath: string): TableFormat {
  const fd = fs.openSync(filePath, 'r');
  try {
    const head = Buffer.alloc(4);
    fs.readSync(fd, head, 0, 4, 0);
    return head[0] === 0x50 && head[1] === 0x4b ? 'xlsx' : 'csv';
  } finally {
    fs.closeSync(fd);
  }
}

function countingStream(filePath: string): {
  stream: fs.ReadStream;
  counter: Transform;
  bytes: () => number;
} {
  let bytes = 0;
  const stream = fs.createReadStream(filePath, { highWaterMark: 1 << 20 });
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  return { stream, counter, bytes: () => bytes };
}

/** Opens a CSV or XLSX file for streaming; reads just enough to return its header. */
export async function openTable(filePath: string, displayName = path.basename(filePath)): Promise<Table> {
  assertReadableFile(filePath, displayName);
  const format = detectFormat(filePath);
  const totalBytes = fs.statSync(filePath).size;
  return format === 'csv'
    ? openCsv(filePath, displayName, totalBytes)
    : openXlsx(filePath, displayName, totalBytes);
}

/**
 * CSV through Papa Parse in chunk mode (about 8x the throughput of csv-parse here), paused while
 * the consumer works, so memory holds one chunk of rows. Line numbers are physical lines: a row
 * advances the count by one plus the line breaks inside its quoted cells.
 */
async function openCsv(filePath: string, fileName: string, totalBytes: number): Promise<Table> {
  const { stream, counter, bytes } = countingStream(filePath);
  // One line ending for the parser: files mixing CRLF and LF exist (hand-edited exports).
  let carry = '';
  // A character's bytes can straddle two chunks: the decoder holds them back until complete.
  const decoder = new StringDecoder('utf8');
  const newlines = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      let text = carry + decoder.write(chunk);
      carry = '';
      if (text.endsWith('\r')) {
        carry = '\r';
        text = text.slice(0, -1);
      }
      callback(null, text.replace(/\r\n?/g, '\n'));
    },
    flush(callback) {
      callback(null, decoder.end() + (carry ? '\n' : ''));
    },
  });
  stream.pipe(counter).pipe(newlines);
  type Chunk = { rows: string[][]; errors: Papa.ParseError[] };
  const queue: Chunk[] = [];
  let done = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  let parserHandle: Papa.Parser | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  Papa.parse<string[]>(newlines as unknown as Papa.LocalFile, {
    skipEmptyLines: false,
    newline: '\n',
    chunkSize: 1 << 20,
    chunk(results, parser) {
      parserHandle = parser;
      queue.push({ rows: results.data, errors: results.errors });
      parser.pause();
      notify();
    },
    complete() {
      done = true;
      notify();
    },
    error(error) {
      failure = error;
      done = true;
      notify();
    },
  });
  async function nextChunk(): Promise<Chunk | undefined> {
    for (;;) {
      const chunk = queue.shift();
      if (chunk) return chunk;
      if (failure) throw csvError(fileName, failure);
      if (done) return undefined;
      await new Promise<void>((resolve) => {
        wake = resolve;
        parserHandle?.resume();
      });
    }
  }
  let line = 0;
  let pending: string[][] = [];
  let pendingErrors: Papa.ParseError[] = [];
  let index = 0;
  // Rows of one chunk, numbered; `undefined` at the end of the file.
  async function nextRow(): Promise<TableRow | undefined> {
    for (;;) {
      if (index < pending.length) {
        const cells = pending[index]!;
        const errors = pendingErrors.filter((e) => e.row === index);
        index++;
        line++;
        const start = line;
        for (const cell of cells)
          for (let i = cell.indexOf('\n'); i >= 0; i = cell.indexOf('\n', i + 1)) line++;
        if (errors.length > 0) {
          throw new AppError(
            'validation',
            `${fileName} is not valid CSV at line ${start}: ${errors[0]!.message}`,
            [{ file: fileName, line: start, message: errors[0]!.message }],
          );
        }
        // A blank line is no row (a trailing newline, or spacing between rows).
        if (cells.length === 1 && cells[0] === '') continue;
        return { line: start, cells };
      }
      const chunk = await nextChunk();
      if (!chunk) return undefined;
      pending = chunk.rows;
      pendingErrors = chunk.errors;
      index = 0;
    }
  }
  let headerRow: TableRow | undefined;
  try {
    headerRow = await nextRow();
  } catch (error) {
    stream.destroy();
    throw error;
  }
  if (!headerRow) {
    stream.destroy();
    throw new AppError('validation', `${fileName} is empty: it has no header line`, [
      { file: fileName, line: 1, message: 'the file is empty' },
    ]);
  }
  const header = headerRow.cells.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
  async function* rows(): AsyncGenerator<TableRow> {
    try {
      for (let row = await nextRow(); row; row = await nextRow()) yield row;
    } finally {
      parserHandle?.abort();
      stream.destroy();
    }
  }
  return {
    fileName,
    format: 'csv',
    header,
    totalBytes,
    bytesRead: bytes,
    rows: rows(),
    close: () => {
      parserHandle?.abort();
      stream.destroy();
    },
  };
}

function csvError(fileName: string, error: unknown): AppError {
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('validation', `${fileName} is not valid CSV: ${message}`, [
    { file: fileName, message },
  ]);
}

/** Cell values of a spreadsheet as the text a CSV export would hold. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (typeof value === 'object') {
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('text' in value) return String(value.text);
    if ('error' in value) return String(value.error);
    return '';
  }
  return String(value);
}

async function openXlsx(filePath: string, fileName: string, totalBytes: number): Promise<Table> {
  const { stream, counter, bytes } = countingStream(filePath);
  stream.pipe(counter);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(counter, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // needed to tell dates from numbers
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  async function* allRows(): AsyncGenerator<TableRow> {
    // Only the first worksheet is read: an export has one table.
    for await (const worksheet of reader) {
      for await (const row of worksheet as AsyncIterable<ExcelJS.Row>) {
        const values = row.values as ExcelJS.CellValue[];
        const cells: string[] = [];
        for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
        if (cells.every((c) => c === '')) continue;
        yield { line: row.number, cells };
      }
      return;
    }
  }
  const iterator = allRows();
  let first: IteratorResult<TableRow>;
  try {
    first = await iterator.next();
  } catch (error) {
    stream.destroy();
    throw new AppError(
      'validation',
      `${fileName} is not a readable XLSX workbook: ${error instanceof Error ? error.message : String(error)}`,
      [{ file: fileName, message: 'unreadable workbook' }],
    );
  }
  if (first.done) {
    stream.destroy();
    throw new AppError('validation', `${fileName} has no rows in its first worksheet`, [
      { file: fileName, line: 1, message: 'the sheet is empty' },
    ]);
  }
  const header = first.value.cells.map((h) => h.trim());
  async function* rows(): AsyncGenerator<TableRow> {
    try {
      for await (const row of { [Symbol.asyncIterator]: () => iterator }) {
        // A sheet stores no trailing empty cells: pad to the header so blanks read as blanks.
        while (row.cells.length < header.length) row.cells.push('');
        yield row;
      }
    } finally {
      stream.destroy();
    }
  }
  return {
    fileName,
    format: 'xlsx',
    header,
    totalBytes,
    bytesRead: bytes,
    rows: rows(),
    close: () => stream.destroy(),
  };
}
