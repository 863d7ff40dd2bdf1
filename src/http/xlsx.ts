import ExcelJS from 'exceljs';

type Cell = string | number | boolean | null | undefined;

/** Text that is a plain decimal with at most 15 significant digits: exact as a spreadsheet number. */
function asNumber(value: string): number | null {
  if (!/^-?\d+(\.\d+)?$/.test(value)) return null;
  const digits = value.replace(/^-/, '').replace('.', '').replace(/^0+/, '');
  return digits.length <= 15 ? Number(value) : null;
}

/**
 * An XLSX download: one sheet, a bold header row, numbers as numbers where a spreadsheet holds them
 * exactly (15 significant digits; money has its cents), anything longer kept as text so that no
 * digit is lost, and text that a spreadsheet would run as a formula kept as text.
 */
export async function xlsxResponse(
  fileName: string,
  sheetName: string,
  header: string[],
  rows: Cell[][],
): Promise<Response> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Attain';
  const sheet = workbook.addWorksheet(sheetName.slice(0, 31));
  sheet.addRow(header).font = { bold: true };
  for (const row of rows)
    sheet.addRow(
      row.map((cell) => {
        if (typeof cell !== 'string') return cell ?? null;
        return asNumber(cell) ?? cell;
      }),
    );
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  header.forEach((h, i) => {
    sheet.getColumn(i + 1).width = Math.min(40, Math.max(10, h.length + 2));
  });
  const buffer = await workbook.xlsx.writeBuffer();
  return new Response(new Uint8Array(buffer as ArrayBuffer), {
    status: 200,
    headers: {
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'content-disposition': `attachment; filename="${fileName}"`,
      'cache-control': 'no-store',
    },
  });
}
