import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import type { Statement, StatementLine } from '../../domain/comp/comp-types.ts';
import { payrollCsv, statementCsv, statementPdf, statementXlsx } from './statement-exports.ts';

function line(id: string, kind: StatementLine['kind'], amount: string, explanation: string): StatementLine {
  return {
    id,
    kind,
    amount,
    explanation,
    trace: { rule: kind, arithmetic: '' },
    component: 'commission',
    transaction: 'D-1',
  };
}

const statement: Statement = {
  payee: 'alice',
  payeeName: 'Alice Ng',
  period: '2026-06',
  currency: 'USD',
  measures: [{ id: 'revenue_qtd', value: '405000.00', quota: '375000.00', attainment: '1.08' }],
  lines: [
    line(
      'commission:D-1',
      'commission',
      '6240.00',
      'Deal Acme-042, $120,000 credited at 50% split = $60,000; attainment moved from 92% to 108%; $24,000 at 8% (tier 2) + $36,000 at 12% (tier 3, accelerator) = $6,240',
    ),
    line(
      'clawback:D-2',
      'clawback',
      '-500.00',
      'Clawback: "Globex" was cancelled, the $500.00 it paid is taken back.',
    ),
    line('adjustment:A-1', 'adjustment', '0.01', '=HYPERLINK("http://evil") a formula-looking reason'),
    line('draw', 'draw', '12345678901234.56', 'A very large amount stays exact.'),
  ],
  totals: {
    earnings: '6240.00',
    adjustments: '0.01',
    clawbacks: '-500.00',
    draw: '12345678901234.56',
    drawRecovered: '0.00',
    held: '0.00',
    released: '0.00',
    payable: '12345678907474.57',
    balanceCarried: '0.00',
  },
};

describe('statementCsv', () => {
  it('parses back to the same lines and amounts, then the totals', () => {
    const text = statementCsv(statement);
    const parsed = Papa.parse<Record<string, string>>(text.trim(), { header: true });
    expect(parsed.errors).toEqual([]);
    const rows = parsed.data;
    expect(rows.slice(0, 4).map((r) => [r.line_id, r.kind, r.amount])).toEqual(
      statement.lines.map((l) => [l.id, l.kind, l.amount]),
    );
    expect(rows[0]!.explanation).toBe(statement.lines[0]!.explanation);
    expect(rows[1]!.explanation).toBe(statement.lines[1]!.explanation); // quotes survive
    expect(rows[2]!.explanation).toBe(`'${statement.lines[2]!.explanation}`); // no formula injection
    const totals = Object.fromEntries(rows.slice(4).map((r) => [r.line_id, r.amount]));
    expect(totals['total:payable']).toBe('12345678907474.57');
    expect(totals['total:clawbacks']).toBe('-500.00');
    expect(rows).toHaveLength(4 + 9);
  });
});

describe('payrollCsv', () => {
  it('writes one row per payee', () => {
    const text = payrollCsv([
      {
        payee: 'alice',
        payeeName: 'Ng, Alice',
        email: 'alice@example.com',
        period: '2026-06',
        payable: '5000.00',
        currency: 'USD',
      },
      { payee: 'bob', payeeName: 'Bob', period: '2026-06', payable: '0.00', currency: 'USD' },
    ]);
    expect(text.split('\r\n')[0]).toBe('payee,payee_name,email,period,payable,currency');
    const rows = Papa.parse<Record<string, string>>(text.trim(), { header: true }).data;
    expect(rows).toEqual([
      {
        payee: 'alice',
        payee_name: 'Ng, Alice',
        email: 'alice@example.com',
        period: '2026-06',
        payable: '5000.00',
        currency: 'USD',
      },
      { payee: 'bob', payee_name: 'Bob', email: '', period: '2026-06', payable: '0.00', currency: 'USD' },
    ]);
  });
});

describe('statementXlsx', () => {
  it('opens with exceljs and has the lines, amounts as exact numbers (or text when a double cannot hold them)', async () => {
    const buffer = await statementXlsx(statement);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Statement')!;
    const values: unknown[][] = [];
    const rowNumbers: number[] = [];
    sheet.eachRow((row, n) => {
      values.push((row.values as unknown[]).slice(1));
      rowNumbers.push(n);
    });
    expect(values[0]).toEqual(['Payee', 'Alice Ng (alice)']);
    const lineRows = values.filter(
      (v) => typeof v[0] === 'string' && /^(commission|clawback|adjustment|draw)/.test(v[0]),
    );
    expect(lineRows.map((v) => [v[0], v[4]])).toEqual([
      ['commission:D-1', 6240],
      ['clawback:D-2', -500],
      ['adjustment:A-1', 0.01],
      ['draw', '12345678901234.56'],
    ]);
    const payable = values.find((v) => v[0] === 'Payable')!;
    expect(payable[4]).toBe('12345678907474.57');
    const earnings = sheet.getRow(rowNumbers[values.findIndex((v) => v[0] === 'Earnings')]!);
    expect(earnings.getCell(5).value).toBe(6240);
    expect(earnings.getCell(5).numFmt).toBe('#,##0.00');
    const measures = workbook.getWorksheet('Measures')!;
    expect(measures.getRow(2).getCell(4).value).toBe(1.08);
  });
});

/** The text shown by an uncompressed pdfkit file: its TJ strings, hex-decoded (WinAnsi, Latin-1 range). */
function pdfShownText(pdf: Buffer): string {
  const source = pdf.toString('latin1');
  const parts: string[] = [];
  for (const match of source.matchAll(/\[([^\]]*)\]\s*TJ/g)) {
    for (const hex of match[1]!.matchAll(/<([0-9a-fA-F]*)>/g))
      parts.push(Buffer.from(hex[1]!, 'hex').toString('latin1'));
  }
  return parts.join('');
}

describe('statementPdf', () => {
  it('is a PDF with the payee, period, plan, totals and every line', async () => {
    const pdf = await statementPdf(
      statement,
      { planName: 'AE revenue and margin', closed: true, runId: 'run-7' },
      { compress: false },
    );
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = pdfShownText(pdf);
    expect(text).toContain('Alice Ng (alice)');
    expect(text).toContain('2026-06');
    expect(text).toContain('AE revenue and margin');
    expect(text).toContain('Closed');
    expect(text).toContain('$6,240.00');
    expect(text).toContain('-$500.00');
    expect(text).toContain('108%');
    expect(text).toContain('commission:D-1');
  });

  it('breaks pages for long statements, and compresses by default', async () => {
    const long: Statement = {
      ...statement,
      lines: Array.from({ length: 120 }, (_, i) =>
        line(`commission:D-${i}`, 'commission', '10.00', `Deal ${i}: a line with an explanation. `.repeat(3)),
      ),
    };
    const pdf = await statementPdf(long, { planName: 'Plan', closed: false }, { compress: false });
    const pages = pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? [];
    expect(pages.length).toBeGreaterThan(3);
    expect(pdfShownText(pdf)).toContain('commission:D-119');
    const compressed = await statementPdf(long, { planName: 'Plan', closed: false });
    expect(compressed.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(compressed.length).toBeLessThan(pdf.length);
  });
});
