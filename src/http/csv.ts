import Papa from 'papaparse';

type Cell = string | number | boolean | null | undefined;

/**
 * Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR at the start) is prefixed
 * with an apostrophe (OWASP's CSV-injection advice); numbers, negative ones too, are written as
 * they are.
 */
function safeCell(value: Cell): Cell {
  if (typeof value !== 'string' || /^-?\d+(\.\d+)?$/.test(value)) return value;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** A CSV download: header row, then the rows, quoted where needed by Papa Parse. */
export function csvResponse(fileName: string, header: string[], rows: Cell[][]): Response {
  const text = Papa.unparse({ fields: header, data: rows.map((r) => r.map(safeCell)) }, { newline: '\r\n' });
  return new Response(`${text}\r\n`, {
    status: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${fileName}"`,
      'cache-control': 'no-store',
    },
  });
}
