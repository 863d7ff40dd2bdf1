import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configVariables, developmentSecret, loadConfig } from './config.ts';

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

  it('refuses to start in production with a missing, short or default secret', () => {
    for (const secret of [undefined, 'short', developmentSecret, 'changeme']) {
      expect(() =>
        loadConfig({ NODE_ENV: 'production', ...(secret ? { ATTAIN_SECRET: secret } : {}) }),
      ).toThrow(/ATTAIN_SECRET/);
    }
    const strong = 'k8Jx2mQ9vR4tW7zB1nC5fH3dL6pS0aYe';
    expect(loadConfig({ NODE_ENV: 'production', ATTAIN_SECRET: strong }).secret).toBe(strong);
    expect(() =>
      loadConfig({ NODE_ENV: 'production', ATTAIN_SECRET: strong, ATTAIN_ADMIN_PASSWORD: 'password' }),
    ).toThrow(/ATTAIN_ADMIN_PASSWORD/);
    // Development runs on the development key without being asked.
    expect(loadConfig({}).secret).toBe(developmentSecret);
    expect(() => loadConfig({ ATTAIN_OIDC_ISSUER: 'https://id.example.com' })).toThrow(
      /ATTAIN_OIDC_CLIENT_ID/,
    );
  });

  it('documents every variable in docs/operations.md', () => {
    const doc = fs.readFileSync(
      path.resolve(import.meta.dirname, '..', '..', 'docs', 'operations.md'),
      'utf8',
    );
    for (const name of Object.keys(configVariables)) expect(doc).toContain(`| \`${name}\``);
  });
});
