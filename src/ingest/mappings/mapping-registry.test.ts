import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMappingFile } from './mapping-registry.ts';

const example = path.resolve(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'examples',
  'mappings',
  'pipedrive-deals.yaml',
);

describe('mapping files', () => {
  it('loads the documented example', () => {
    const mapping = loadMappingFile(example);
    expect(mapping.name).toBe('pipedrive');
    expect(mapping.currency).toBe('EUR');
    expect(mapping.files[0]).toMatchObject({
      entity: 'opportunities',
      requiredColumns: ['Deal - ID', 'Deal - Stage', 'Deal - Deal created'],
    });
  });

  it('reports every problem of a bad mapping with its path', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attain-mapping-')), 'bad.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        name: 'bad',
        stages: [{ name: 'Open', category: 'maybe', probability: 10 }],
        files: [{ entity: 'opportunities', columns: { opportunity_key: 'ID', colour: 'Colour' } }],
      }),
    );
    expect(() => loadMappingFile(file)).toThrow(
      expect.objectContaining({ problems: [expect.objectContaining({ field: 'stages.0.category' })] }),
    );
    fs.writeFileSync(
      file,
      JSON.stringify({
        name: 'bad',
        stages: [{ name: 'Open', category: 'open', probability: 10 }],
        files: [{ entity: 'opportunities', columns: { opportunity_key: 'ID', colour: 'Colour' } }],
      }),
    );
    try {
      loadMappingFile(file);
      expect.unreachable();
    } catch (error) {
      expect(
        (error as { problems: { field: string; message: string }[] }).problems.map((p) => p.field),
      ).toEqual(['files.0.columns.colour', 'files.0.columns', 'files.0.columns']);
    }
  });
});
