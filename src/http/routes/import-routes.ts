import { z } from '@hono/zod-openapi';
import { actorFor, principalOf, secureRoute, type Api, type RouteTable } from '../access.ts';
import { auditImport } from '../../app/audit/import-audit.ts';
import type { Attain } from '../../app/create-attain.ts';
import { getImportOrThrow, listImports } from '../../app/import-history.ts';
import { AppError } from '../../domain/errors.ts';
import { findBuiltInMapping } from '../../ingest/mappings/mapping-registry.ts';
import { previewFile } from '../../ingest/run-import.ts';
import { ProblemItem, problemJson } from './schemas.ts';

const Warning = z.object({
  code: z.string(),
  message: z.string(),
  file: z.string().optional(),
  lines: z.array(z.number()),
  count: z.number(),
});
const EntityCounts = z.object({ inserted: z.number(), updated: z.number(), unchanged: z.number() });
const ImportReport = z
  .object({
    importId: z.number().nullable(),
    status: z.enum(['succeeded', 'rejected', 'dry_run', 'failed']),
    dryRun: z.boolean(),
    mapping: z.string(),
    files: z.array(z.object({ name: z.string(), entity: z.string(), rows: z.number() })),
    entities: z.record(z.string(), EntityCounts),
    warnings: z.array(Warning),
    errors: z.array(ProblemItem),
    errorCount: z.number(),
    warningCount: z.number(),
    unknown: z.object({
      people: z.array(z.string()),
      accounts: z.array(z.string()),
      products: z.array(z.string()),
    }),
    durationMs: z.number(),
  })
  .openapi('ImportReport');
const Job = z
  .object({
    id: z.string(),
    status: z.enum(['running', 'succeeded', 'rejected', 'dry_run', 'failed']),
    progress: z.object({
      file: z.string().nullable(),
      rowsRead: z.number(),
      bytesRead: z.number(),
      totalBytes: z.number(),
    }),
    report: ImportReport.nullable(),
    error: z.object({ code: z.string(), title: z.string(), problems: z.array(ProblemItem) }).nullable(),
  })
  .openapi('ImportJob');
const ImportSummary = z
  .object({
    id: z.number(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    status: z.string(),
    mapping: z.string(),
    files: z.array(z.object({ name: z.string(), rows: z.number(), entity: z.string().optional() })),
    summary: z.unknown(),
    warningCount: z.number(),
    errorCount: z.number(),
  })
  .openapi('ImportSummary');
const Upload = z
  .object({
    id: z.string(),
    fileName: z.string(),
    bytes: z.number(),
    format: z.enum(['csv', 'xlsx']),
    header: z.array(z.string()),
    sampleRows: z.array(z.array(z.string())),
    detected: z.object({ mapping: z.string().nullable(), entity: z.string().nullable() }),
  })
  .openapi('Upload');

/** Upload, import (as a background job with progress) and import history. */
export function registerImportRoutes(app: Api, table: RouteTable, attain: Attain): void {
  const importer = { kind: 'permission', permission: 'data:import' } as const;
  app.openapi(
    secureRoute(table, importer, {
      method: 'post',
      path: '/api/uploads',
      summary: 'Upload a CSV or XLSX file (the raw bytes as the body) and preview it',
      request: {
        query: z.object({
          name: z.string().min(1).max(255).openapi({ description: 'The file name, for messages' }),
        }),
      },
      responses: {
        201: {
          description: 'Stored, with a preview',
          content: { 'application/json': { schema: z.object({ upload: Upload }) } },
        },
        400: { description: 'Unreadable', content: problemJson },
        413: { description: 'Too large', content: problemJson },
      },
    }),
    async (c) => {
      const { name } = c.req.valid('query');
      const upload = await attain.uploads.save(name, c.req.raw.body, principalOf(c).userId);
      try {
        const preview = await previewFile({ path: upload.path, name: upload.fileName });
        return c.json(
          { upload: { id: upload.id, fileName: upload.fileName, bytes: upload.bytes, ...preview } },
          201,
        );
      } catch (error) {
        attain.uploads.remove(upload.id);
        throw error;
      }
    },
  );

  app.openapi(
    secureRoute(table, importer, {
      method: 'post',
      path: '/api/imports',
      summary: 'Import uploaded files, all or nothing; answers at once with a job to poll',
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.object({
                uploads: z.array(z.string().uuid()).min(1).max(50),
                mapping: z.string().min(1).default('detect'),
                dryRun: z.boolean().default(false),
                createUnknown: z.boolean().default(false),
              }),
            },
          },
        },
      },
      responses: {
        202: { description: 'Started', content: { 'application/json': { schema: z.object({ job: Job }) } } },
        400: { description: 'Invalid request', content: problemJson },
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const mapping = body.mapping === 'detect' ? 'detect' : findBuiltInMapping(body.mapping);
      if (!mapping)
        throw new AppError('validation', `Unknown mapping "${body.mapping}".`, [
          {
            field: 'mapping',
            value: body.mapping,
            message: 'is not a built-in mapping (see GET /api/mappings) or "detect"',
          },
        ]);
      const uploads = body.uploads.map((id) => attain.uploads.getOrThrow(id, principalOf(c).userId));
      const job = attain.imports.start(
        uploads.map((u) => ({ path: u.path, name: u.fileName })),
        {
          mapping,
          dryRun: body.dryRun,
          createUnknown: body.createUnknown,
          now: () => attain.clock.now(),
          beforeCommit: auditImport(actorFor(c), () => attain.clock.now()),
        },
        () => {
          // A rejected or dry-run import can be fixed and run again from the same upload.
          if (job.status === 'succeeded') for (const u of uploads) attain.uploads.remove(u.id);
        },
      );
      return c.json({ job }, 202);
    },
  );

  app.openapi(
    secureRoute(table, importer, {
      method: 'get',
      path: '/api/import-jobs/{id}',
      summary: 'Progress and, when done, the report of an import job',
      request: { params: z.object({ id: z.string().uuid() }) },
      responses: {
        200: { description: 'The job', content: { 'application/json': { schema: z.object({ job: Job }) } } },
        404: { description: 'No such job', content: problemJson },
      },
    }),
    (c) => c.json({ job: attain.imports.getOrThrow(c.req.valid('param').id) }, 200),
  );

  app.openapi(
    secureRoute(table, importer, {
      method: 'get',
      path: '/api/imports',
      summary: 'Import history, newest first',
      request: {
        query: z.object({
          limit: z.coerce.number().int().min(1).max(200).default(20),
          offset: z.coerce.number().int().min(0).default(0),
        }),
      },
      responses: {
        200: {
          description: 'A page of imports',
          content: {
            'application/json': { schema: z.object({ imports: z.array(ImportSummary), total: z.number() }) },
          },
        },
      },
    }),
    async (c) => c.json(await listImports(attain.store, c.req.valid('query')), 200),
  );

  app.openapi(
    secureRoute(table, importer, {
      method: 'get',
      path: '/api/imports/{id}',
      summary: 'One import with its warnings and errors',
      request: { params: z.object({ id: z.coerce.number().int().positive() }) },
      responses: {
        200: {
          description: 'The import',
          content: {
            'application/json': {
              schema: z.object({
                import: ImportSummary.extend({ warnings: z.unknown(), errors: z.unknown() }),
              }),
            },
          },
        },
        404: { description: 'No such import', content: problemJson },
      },
    }),
    async (c) => c.json({ import: await getImportOrThrow(attain.store, c.req.valid('param').id) }, 200),
  );
}
