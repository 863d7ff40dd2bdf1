import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configVariables, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('defaults to the embedded database in .attain-data on port 3000, with the demo', () => {
    const config = loadConfig({}, '/srv/attain');
    expect(config).toMatchObject({
      port: 3000,
      database: { kind: 'pglite', dataDir: '/srv/attain/.attain-data' },
      demo: { enabled: true, reps: 50 },
    });
  });

  it('selects PostgreSQL when DATABASE_URL is set', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db:5432/attain' }).database).toEqual({
      kind: 'postgres',
      url: 'postgres://u@db:5432/attain',
    });
  });

  it('reports every invalid variable at once, with the value given', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', ATTAIN_DEMO: 'maybe' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('PORT');
      expect(problems).toContain('"eighty"');
      expect(problems).toContain('DATABASE_URL');
      expect(problems).toContain('ATTAIN_DEMO');
    }
  });

  it('documents every variable in docs/operations.md', () => {
    const doc = fs.readFileSync(
      path.resolve(import.meta.dirname, '..', '..', 'docs', 'operations.md'),
      'utf8',
    );
    for (const name of Object.keys(configVariables)) expect(doc).toContain(`| \`${name}\``);
  });
});
