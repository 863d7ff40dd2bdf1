import path from 'node:path';
import { z } from 'zod';

/**
 * Every environment variable Attain reads, with its default and what it is for.
 * This module is the only code that reads `process.env` (see CONVENTIONS.md).
 */
export const configVariables = {
  PORT: { default: '3000', description: 'TCP port the web UI and the JSON API listen on.' },
  HOST: {
    default: '127.0.0.1',
    description: 'Interface to bind; 0.0.0.0 to accept connections from other machines.',
  },
  ATTAIN_DATA_DIR: {
    default: '.attain-data',
    description:
      'Directory of the embedded PGlite database (created on first start). Ignored when DATABASE_URL is set.',
  },
  DATABASE_URL: {
    default: '',
    description: 'postgres:// URL of a PostgreSQL server; when set, used instead of the embedded database.',
  },
  ATTAIN_DEMO: {
    default: 'true',
    description: 'Fill an empty database with the generated demo organisation on first start.',
  },
  ATTAIN_DEMO_REPS: { default: '50', description: 'Number of reps in the generated demo organisation.' },
  ATTAIN_DEMO_SEED: {
    default: '42',
    description: 'Seed of the demo generator (same seed, same organisation).',
  },
  ATTAIN_FISCAL_YEAR_START_MONTH: {
    default: '1',
    description: 'Month (1-12) in which the fiscal year starts.',
  },
  ATTAIN_MAX_UPLOAD_MB: { default: '512', description: 'Largest import file accepted over HTTP, in MiB.' },
  ATTAIN_KPI_CACHE_ENTRIES: {
    default: '64',
    description:
      'KPI answers kept for repeated requests (per snapshot, scope and query; 0 turns the cache off, as the benchmarks of the engine do).',
  },
  ATTAIN_PUBLIC_URL: {
    default: '',
    description:
      'Address users reach Attain at, for set-up and reset links and the OIDC redirect (default http://HOST:PORT). https:// makes cookies Secure.',
  },
  ATTAIN_SECRET: {
    default: '',
    description:
      'Key (32+ characters) of the HMAC that stores session, API-token and link digests. Required in production; changing it signs everybody out.',
  },
  ATTAIN_ADMIN_EMAIL: {
    default: 'admin@attain.local',
    description: 'Email of the administrator created on the first start.',
  },
  ATTAIN_ADMIN_PASSWORD: {
    default: '',
    description:
      'Password of that first administrator (12+ characters). When empty, the first start prints a one-time set-up link instead.',
  },
  ATTAIN_TRUST_PROXY: {
    default: 'false',
    description:
      'true behind one reverse proxy: the client address is taken from the last X-Forwarded-For entry (the one the proxy added).',
  },
  ATTAIN_OIDC_ISSUER: {
    default: '',
    description:
      'OpenID Connect issuer URL for single sign-on (authorization code + PKCE); empty turns SSO off.',
  },
  ATTAIN_OIDC_CLIENT_ID: { default: '', description: 'Client id registered with the OIDC provider.' },
  ATTAIN_OIDC_CLIENT_SECRET: {
    default: '',
    description: 'Client secret registered with the OIDC provider; empty for a public client.',
  },
  NODE_ENV: {
    default: 'development',
    description: 'production enables the strict checks of the configuration.',
  },
} as const;

export type ConfigVariable = keyof typeof configVariables;

const booleanText = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535),
  HOST: z.string().min(1),
  ATTAIN_DATA_DIR: z.string().min(1),
  DATABASE_URL: z
    .string()
    .refine((v) => v === '' || /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL'),
  ATTAIN_DEMO: booleanText,
  ATTAIN_DEMO_REPS: z.coerce.number().int().min(1).max(100_000),
  ATTAIN_DEMO_SEED: z.coerce.number().int(),
  ATTAIN_FISCAL_YEAR_START_MONTH: z.coerce.number().int().min(1).max(12),
  ATTAIN_MAX_UPLOAD_MB: z.coerce.number().int().min(1),
  ATTAIN_KPI_CACHE_ENTRIES: z.coerce.number().int().min(0).max(10_000),
  ATTAIN_PUBLIC_URL: z
    .string()
    .refine((v) => v === '' || /^https?:\/\/[^/]+/.test(v), 'must be an http(s):// URL'),
  ATTAIN_SECRET: z.string(),
  ATTAIN_ADMIN_EMAIL: z.email(),
  ATTAIN_ADMIN_PASSWORD: z
    .string()
    .refine((v) => v === '' || v.length >= 12, 'must be at least 12 characters'),
  ATTAIN_TRUST_PROXY: booleanText,
  ATTAIN_OIDC_ISSUER: z
    .string()
    .refine((v) => v === '' || /^https?:\/\//.test(v), 'must be an http(s):// URL'),
  ATTAIN_OIDC_CLIENT_ID: z.string(),
  ATTAIN_OIDC_CLIENT_SECRET: z.string(),
  NODE_ENV: z.enum(['development', 'production', 'test']),
});

/** The development key: fine on a laptop, refused in production. */
export const developmentSecret = 'attain-development-secret-do-not-use-in-production';
const knownWeakSecrets = new Set([developmentSecret, 'changeme', 'secret', 'change-me', 'password']);

export type DatabaseConfig = { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string };

export type AppConfig = {
  port: number;
  host: string;
  database: DatabaseConfig;
  demo: { enabled: boolean; reps: number; seed: number };
  fiscalYearStartMonth: number;
  maxUploadBytes: number;
  /** KPI answers kept for repeated requests; 0: none. */
  kpiCacheEntries: number;
  production: boolean;
  publicUrl: string;
  /** Whether ATTAIN_PUBLIC_URL was given; if not, the server's own address is used once it listens. */
  publicUrlConfigured: boolean;
  /** Behind a reverse proxy: read the client address from X-Forwarded-For. */
  trustProxy: boolean;
  secret: string;
  firstAdmin: { email: string; password: string | null };
  oidc: { issuer: string; clientId: string; clientSecret: string | null } | null;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the configuration; every problem is reported at once. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  cwd = process.cwd(),
): AppConfig {
  const raw: Record<string, string> = {};
  for (const [name, variable] of Object.entries(configVariables)) {
    const value = env[name];
    raw[name] = value === undefined || value === '' ? variable.default : value;
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message} (got "${raw[String(i.path[0])]}")`),
    );
  }
  const c = parsed.data;
  const production = c.NODE_ENV === 'production';
  const problems: string[] = [];
  if (production && (c.ATTAIN_SECRET.length < 32 || knownWeakSecrets.has(c.ATTAIN_SECRET)))
    problems.push(
      'ATTAIN_SECRET: production needs a secret of at least 32 random characters, not a default (try `openssl rand -base64 48`)',
    );
  if (!production && c.ATTAIN_SECRET !== '' && c.ATTAIN_SECRET.length < 32)
    problems.push('ATTAIN_SECRET: must be at least 32 characters');
  if (production && c.ATTAIN_ADMIN_PASSWORD !== '' && knownWeakSecrets.has(c.ATTAIN_ADMIN_PASSWORD))
    problems.push('ATTAIN_ADMIN_PASSWORD: a well-known default password is refused in production');
  if (c.ATTAIN_OIDC_ISSUER !== '' && c.ATTAIN_OIDC_CLIENT_ID === '')
    problems.push('ATTAIN_OIDC_CLIENT_ID: required when ATTAIN_OIDC_ISSUER is set');
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port: c.PORT,
    host: c.HOST,
    database: c.DATABASE_URL
      ? { kind: 'postgres', url: c.DATABASE_URL }
      : { kind: 'pglite', dataDir: path.resolve(cwd, c.ATTAIN_DATA_DIR) },
    demo: { enabled: c.ATTAIN_DEMO, reps: c.ATTAIN_DEMO_REPS, seed: c.ATTAIN_DEMO_SEED },
    fiscalYearStartMonth: c.ATTAIN_FISCAL_YEAR_START_MONTH,
    maxUploadBytes: c.ATTAIN_MAX_UPLOAD_MB * 1024 * 1024,
    kpiCacheEntries: c.ATTAIN_KPI_CACHE_ENTRIES,
    production,
    publicUrl: (
      c.ATTAIN_PUBLIC_URL || `http://${c.HOST === '0.0.0.0' ? '127.0.0.1' : c.HOST}:${c.PORT}`
    ).replace(/\/+$/, ''),
    publicUrlConfigured: c.ATTAIN_PUBLIC_URL !== '',
    trustProxy: c.ATTAIN_TRUST_PROXY,
    secret: c.ATTAIN_SECRET || developmentSecret,
    firstAdmin: { email: c.ATTAIN_ADMIN_EMAIL, password: c.ATTAIN_ADMIN_PASSWORD || null },
    oidc: c.ATTAIN_OIDC_ISSUER
      ? {
          issuer: c.ATTAIN_OIDC_ISSUER,
          clientId: c.ATTAIN_OIDC_CLIENT_ID,
          clientSecret: c.ATTAIN_OIDC_CLIENT_SECRET || null,
        }
      : null,
  };
}

/**
 * Test settings: which databases the store's contract suites run on. ATTAIN_TEST_DATABASES is a
 * comma-separated list of pglite and postgres (default: pglite, so `npm test` needs no server);
 * the PostgreSQL server is ATTAIN_TEST_PG_URL (default: the CI machine's, user postgres, database test).
 */
export function loadTestDatabaseConfig(env: Record<string, string | undefined> = process.env): {
  kinds: ('pglite' | 'postgres')[];
  postgresAdminUrl: string;
} {
  const kinds = (env.ATTAIN_TEST_DATABASES || 'pglite').split(',').map((k) => k.trim());
  const invalid = kinds.filter((k) => k !== 'pglite' && k !== 'postgres');
  if (invalid.length > 0)
    throw new ConfigError([
      `ATTAIN_TEST_DATABASES: unknown database kind(s) ${invalid.join(', ')} (use pglite, postgres)`,
    ]);
  return {
    kinds: kinds as ('pglite' | 'postgres')[],
    postgresAdminUrl: env.ATTAIN_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test',
  };
}
