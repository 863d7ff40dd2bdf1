/**
 * Statement exports (issue 6 point 7): CSV, XLSX and PDF of one payee's statement for one period,
 * and the payroll file of a period. Amounts are written from the statement's exact decimal text:
 * CSV keeps the text; XLSX stores it as a number only when a spreadsheet holds it exactly (at most
 * 15 significant digits), else as text; the PDF prints it formatted for people.
 */
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import PDFDocument from 'pdfkit';
import type { Statement, StatementLine } from '../../domain/comp/comp-types.ts';
import { currencyDigits, decimalToMinor, formatMoney, ppmToPercent } from '../../domain/comp/exact-money.ts';

type Cell = string | number | null;

const TOTALS: { key: Exclude<keyof Statement['totals'], 'drawOwed'>; label: string }[] = [
  { key: 'earnings', label: 'Earnings' },
  { key: 'adjustments', label: 'Adjustments' },
  { key: 'clawbacks', label: 'Clawbacks' },
  { key: 'draw', label: 'Draw' },
  { key: 'drawRecovered', label: 'Recovered' },
  { key: 'held', label: 'Held' },
  { key: 'released', label: 'Released' },
  { key: 'payable', label: 'Payable' },
  { key: 'balanceCarried', label: 'Balance carried' },
];

const KIND_LABELS: Record<StatementLine['kind'], string> = {
  commission: 'Commission',
  bonus: 'Bonus',
  spiff: 'SPIFF',
  retro_adjustment: 'Retroactive repricing',
  draw: 'Draw',
  draw_recovery: 'Recovery',
  clawback: 'Clawback',
  hold: 'Hold',
  release: 'Release',
  adjustment: 'Adjustment',
  prior_period_adjustment: 'Prior-period correction',
};

/**
 * Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets an apostrophe (OWASP
 * CSV injection); plain decimals, negative ones too, stay as they are.
 */
function safeText(value: Cell): Cell {
  if (typeof value !== 'string' || /^-?\d+(\.\d+)?$/.test(value)) return value;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function csv(header: string[], rows: Cell[][]): string {
  return `${Papa.unparse({ fields: header, data: rows.map((r) => r.map(safeText)) }, { newline: '\r\n' })}\r\n`;
}

/** One row per line (id, kind, component, transaction, amount, explanation), then one row per total. */
export function statementCsv(statement: Statement): string {
  const rows: Cell[][] = statement.lines.map((l) => [
    l.id,
    l.kind,
    l.component ?? '',
    l.transaction ?? '',
    l.amount,
    l.explanation,
  ]);
  for (const t of TOTALS) rows.push([`total:${t.key}`, 'total', '', '', statement.totals[t.key], t.label]);
  return csv(['line_id', 'kind', 'component', 'transaction', 'amount', 'explanation'], rows);
}

/** The payroll file of a period: what to pay each payee. */
export function payrollCsv(
  rows: {
    payee: string;
    payeeName: string;
    email?: string;
    period: string;
    payable: string;
    currency: string;
  }[],
): string {
  return csv(
    ['payee', 'payee_name', 'email', 'period', 'payable', 'currency'],
    rows.map((r) => [r.payee, r.payeeName, r.email ?? '', r.period, r.payable, r.currency]),
  );
}

/** A decimal text as a spreadsheet number when it is exact as a double (15 significant digits), else null. */
function exactNumber(text: string): number | null {
  if (!/^-?\d+(\.\d+)?$/.test(text)) return null;
  const digits = text.replace(/^-/, '').replace('.', '').replace(/^0+/, '');
  return digits.length <= 15 ? Number(text) : null;
}

/** An XLSX workbook: a Statement sheet (header, lines, totals) and a Measures sheet. */
export async function statementXlsx(statement: Statement): Promise<Buffer> {
  const digits = currencyDigits(statement.currency);
  const numFmt = digits === 0 ? '#,##0' : `#,##0.${'0'.repeat(digits)}`;
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Attain';
  const sheet = workbook.addWorksheet('Statement');
  const amountCell = (row: ExcelJS.Row, column: number, text: string) => {
    const cell = row.getCell(column);
    const value = exactNumber(text);
    cell.value = value ?? text;
    if (value !== null) cell.numFmt = numFmt;
  };
  const info: [string, string][] = [
    ['Payee', `${statement.payeeName} (${statement.payee})`],
    ['Period', statement.period],
    ['Currency', statement.currency],
  ];
  for (const [label, value] of info) {
    const row = sheet.addRow([label, value]);
    row.getCell(1).font = { bold: true };
  }
  sheet.addRow([]);
  const header = sheet.addRow(['Line', 'Kind', 'Component', 'Transaction', 'Amount', 'Explanation']);
  header.font = { bold: true };
  for (const l of statement.lines) {
    const row = sheet.addRow([
      safeText(l.id),
      l.kind,
      safeText(l.component ?? ''),
      safeText(l.transaction ?? ''),
      null,
      safeText(l.explanation),
    ]);
    amountCell(row, 5, l.amount);
  }
  sheet.addRow([]);
  for (const t of TOTALS) {
    const row = sheet.addRow([t.label, 'total', '', '', null, '']);
    row.getCell(1).font = { bold: t.key === 'payable' };
    amountCell(row, 5, statement.totals[t.key]);
  }
  sheet.getColumn(1).width = 28;
  sheet.getColumn(2).width = 16;
  sheet.getColumn(3).width = 16;
  sheet.getColumn(4).width = 16;
  sheet.getColumn(5).width = 16;
  sheet.getColumn(6).width = 100;
  sheet.getColumn(6).alignment = { wrapText: true, vertical: 'top' };

  const measures = workbook.addWorksheet('Measures');
  measures.addRow(['Measure', 'Value', 'Quota', 'Attainment']).font = { bold: true };
  for (const m of statement.measures) {
    const row = measures.addRow([m.id, null, null, null]);
    amountCell(row, 2, m.value);
    if (m.quota !== undefined) amountCell(row, 3, m.quota);
    if (m.attainment !== undefined) {
      const value = exactNumber(m.attainment);
      row.getCell(4).value = value ?? m.attainment;
      if (value !== null) row.getCell(4).numFmt = '0.00%';
    }
  }
  measures.columns.forEach((c) => (c.width = 20));
  const buffer = await workbook.xlsx.writeBuffer();
  return Buffer.from(buffer as ArrayBuffer);
}

/** "1.0833" → "108.33%", exactly (no binary arithmetic). */
function percentText(text: string): string {
  const m = /^(-?)(\d+)(?:\.(\d{1,6}))?$/.exec(text);
  if (!m) return text;
  const ppm = Number(m[2]) * 1_000_000 + Number((m[3] ?? '').padEnd(6, '0'));
  return ppmToPercent(m[1] ? -ppm : ppm);
}

/**
 * The PDF core fonts (Helvetica) encode WinAnsi only: characters outside it are written as their
 * nearest ASCII spelling so that nothing prints as a wrong glyph.
 */
function pdfText(text: string): string {
  return text
    .replace(/[−–]/g, '-')
    .replace(/→/g, '->')
    .replace(/≥/g, '>=')
    .replace(/≤/g, '<=')
    .replace(/[^\x20-\x7e\xa0-\xff€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•—˜™š›œžŸ\n]/g, '?');
}

/** A readable statement: header, totals box, measures with attainment, every line with its explanation. */
export async function statementPdf(
  statement: Statement,
  meta: { planName: string; closed: boolean; runId?: string },
  options: { compress?: boolean } = {},
): Promise<Buffer> {
  const digits = currencyDigits(statement.currency);
  const money = (text: string) => {
    try {
      return pdfText(formatMoney(decimalToMinor(text, digits), digits, statement.currency));
    } catch {
      return text;
    }
  };
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    compress: options.compress ?? true,
    info: {
      Title: pdfText(`Statement ${statement.payeeName} ${statement.period}`),
      Author: 'Attain',
      Subject: pdfText(meta.planName),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const left = doc.page.margins.left;
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const ensure = (height: number) => {
    if (doc.y + height > bottom()) doc.addPage();
  };

  // Header
  doc.font('Helvetica-Bold').fontSize(18).fillColor('#111').text('Compensation statement', left, doc.y);
  doc.moveDown(0.3);
  doc
    .font('Helvetica-Bold')
    .fontSize(13)
    .text(pdfText(`${statement.payeeName} (${statement.payee})`));
  doc
    .font('Helvetica')
    .fontSize(10)
    .fillColor('#333')
    .text(
      pdfText(
        `Period ${statement.period}  ·  Plan ${meta.planName}  ·  Currency ${statement.currency}  ·  ${meta.closed ? 'Closed' : 'Draft (period open)'}` +
          (meta.runId ? `  ·  Run ${meta.runId}` : ''),
      ),
    );
  doc.moveDown(0.8);

  // Totals box
  const rows = Math.ceil(TOTALS.length / 3);
  const boxHeight = rows * 30 + 16;
  ensure(boxHeight + 10);
  const boxTop = doc.y;
  doc.roundedRect(left, boxTop, width, boxHeight, 4).fillAndStroke('#f3f5f8', '#c9d1db');
  TOTALS.forEach((t, i) => {
    const column = i % 3;
    const row = Math.floor(i / 3);
    const x = left + 12 + column * (width / 3);
    const y = boxTop + 10 + row * 30;
    doc
      .fillColor('#555')
      .font('Helvetica')
      .fontSize(8)
      .text(t.label.toUpperCase(), x, y, { width: width / 3 - 20 });
    doc
      .fillColor('#111')
      .font(t.key === 'payable' ? 'Helvetica-Bold' : 'Helvetica')
      .fontSize(11)
      .text(money(statement.totals[t.key]), x, y + 10, { width: width / 3 - 20 });
  });
  doc.x = left;
  doc.y = boxTop + boxHeight + 14;

  // Measures
  if (statement.measures.length > 0) {
    ensure(40);
    doc.fillColor('#111').font('Helvetica-Bold').fontSize(12).text('Measures', left, doc.y);
    doc.moveDown(0.3);
    for (const m of statement.measures) {
      ensure(16);
      const attainment = m.attainment !== undefined ? percentText(m.attainment) : '-';
      const y = doc.y;
      doc.font('Helvetica').fontSize(10).fillColor('#111');
      doc.text(pdfText(m.id), left, y, { width: width * 0.34 });
      doc.text(`value ${money(m.value)}`, left + width * 0.34, y, { width: width * 0.26 });
      doc.text(m.quota !== undefined ? `quota ${money(m.quota)}` : 'no quota', left + width * 0.6, y, {
        width: width * 0.24,
      });
      doc.text(attainment, left + width * 0.84, y, { width: width * 0.16, align: 'right' });
      doc.x = left;
    }
    doc.moveDown(0.8);
  }

  // Lines
  ensure(40);
  doc.fillColor('#111').font('Helvetica-Bold').fontSize(12).text('Lines', left, doc.y);
  doc.moveDown(0.3);
  if (statement.lines.length === 0)
    doc.font('Helvetica').fontSize(10).fillColor('#555').text('No lines in this period.', left, doc.y);
  for (const l of statement.lines) {
    const title = pdfText(`${KIND_LABELS[l.kind]}  ${l.id}`);
    const explanation = pdfText(l.explanation);
    doc.font('Helvetica').fontSize(9);
    const explanationHeight = doc.heightOfString(explanation, { width });
    ensure(16 + explanationHeight + 8);
    const y = doc.y;
    doc
      .font('Helvetica-Bold')
      .fontSize(10)
      .fillColor('#111')
      .text(title, left, y, { width: width * 0.75 });
    doc.text(money(l.amount), left + width * 0.75, y, { width: width * 0.25, align: 'right' });
    doc.x = left;
    doc.y = Math.max(doc.y, y + 13);
    doc.font('Helvetica').fontSize(9).fillColor('#333').text(explanation, left, doc.y, { width });
    doc.moveDown(0.6);
  }
  doc.end();
  return done;
}
