import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTable, type TableRow } from './read-table.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attain-read-'));
function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}
async function readAll(p: string): Promise<{ header: string[]; rows: TableRow[] }> {
  const table = await openTable(p);
  const rows: TableRow[] = [];
  for await (const row of table.rows) rows.push(row);
  return { header: table.header, rows };
}

describe('openTable (CSV)', () => {
  it('numbers rows by physical line, across quoted line breaks and blank lines, without a BOM', async () => {
    const p = file('a.csv', '\uFEFFkey,note\r\nk1,"two\nlines"\n\nk2,"a ""quoted"" word"\nk3,\n');
    expect(await readAll(p)).toEqual({
      header: ['key', 'note'],
      rows: [
        { line: 2, cells: ['k1', 'two\nlines'] },
        { line: 5, cells: ['k2', 'a "quoted" word'] },
        { line: 6, cells: ['k3', ''] },
      ],
    });
  });

  it('keeps multi-byte characters whole across read chunks', async () => {
    const name = 'Zoë Łukasiewicz – 東京';
    const lines = ['key,name'];
    for (let i = 0; i < 60_000; i++) lines.push(`k${i},${name}`);
    const { rows } = await readAll(file('utf8.csv', `${lines.join('\n')}\n`));
    expect(rows.length).toBe(60_000);
    expect(rows.every((r) => r.cells[1] === name)).toBe(true);
  });

  it('names the line of an unterminated quote', async () => {
    const p = file('b.csv', 'key,note\nk1,fine\nk2,"never closed\nk3,x\n');
    await expect(readAll(p)).rejects.toMatchObject({
      code: 'validation',
      problems: [{ file: 'b.csv', line: 3 }],
    });
  });

  it('refuses an empty file and a missing one by name', async () => {
    await expect(openTable(file('empty.csv', ''))).rejects.toMatchObject({
      problems: [{ file: 'empty.csv', line: 1, message: 'the file is empty' }],
    });
    await expect(openTable(path.join(dir, 'missing.csv'))).rejects.toMatchObject({
      problems: [{ file: 'missing.csv' }],
    });
  });

  it('streams a large file with flat memory', async () => {
    const p = path.join(dir, 'big.csv');
    const out = fs.createWriteStream(p);
    out.write('key,amount\n');
    for (let i = 0; i < 200_000; i++) out.write(`k${i},${i}.00\n`);
    await new Promise((r) => out.end(r));
    const table = await openTable(p);
    let count = 0;
    let lastLine = 0;
    for await (const row of table.rows) {
      count++;
      lastLine = row.line;
    }
    expect(count).toBe(200_000);
    expect(lastLine).toBe(200_001);
    expect(table.bytesRead()).toBe(fs.statSync(p).size);
  });
});
