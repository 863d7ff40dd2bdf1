import { z } from '@hono/zod-openapi';
import { secureRoute, type Api, type RouteTable } from '../access.ts';
import { countData, countedTables } from '../../app/data-counts.ts';
import type { Attain } from '../../app/create-attain.ts';
import { builtInMappings } from '../../ingest/mappings/mapping-registry.ts';

const Counts = z
  .object(Object.fromEntries(countedTables.map((t) => [t, z.number().int()])))
  .openapi('DataCounts');

const Mapping = z
  .object({
    name: z.string(),
    label: z.string(),
    description: z.string(),
    files: z.array(z.object({ entity: z.string(), label: z.string(), requiredColumns: z.array(z.string()) })),
  })
  .openapi('Mapping');

/** Health, counts per entity and the built-in import mappings. */
export function registerDataRoutes(app: Api, table: RouteTable, attain: Attain, version: string): void {
  const importer = { kind: 'permission', permission: 'data:import' } as const;
  app.openapi(
    secureRoute(
      table,
      { kind: 'public' },
      {
        method: 'get',
        path: '/api/health',
        summary: 'Is the server up and its database reachable?',
        responses: {
          200: {
            description: 'Healthy',
            content: {
              'application/json': {
                schema: z.object({
                  status: z.literal('ok'),
                  database: z.enum(['pglite', 'postgres']),
                  version: z.string(),
                }),
              },
            },
          },
        },
      },
    ),
    async (c) => {
      await attain.store.pool.query('SELECT 1');
      return c.json({ status: 'ok' as const, database: attain.store.kind, version }, 200);
    },
  );

  app.openapi(
    secureRoute(table, importer, {
      method: 'get',
      path: '/api/data/counts',
      summary: 'Rows per entity',
      responses: {
        200: {
          description: 'Counts',
          content: { 'application/json': { schema: z.object({ counts: Counts }) } },
        },
      },
    }),
    async (c) => c.json({ counts: await countData(attain.store) }, 200),
  );

  app.openapi(
    secureRoute(table, importer, {
      method: 'get',
      path: '/api/data/snapshot',
      summary: 'The columnar snapshot the engines compute over: its size and when it was loaded',
      responses: {
        200: {
          description: 'Snapshot summary',
          content: {
            'application/json': {
              schema: z.object({
                opportunities: z.number().int(),
                opportunityChanges: z.number().int(),
                activities: z.number().int(),
                loadedAt: z.string(),
                loadMs: z.number(),
              }),
            },
          },
        },
      },
    }),
    async (c) => {
      const s = await attain.snapshots.get();
      return c.json(
        {
          opportunities: s.opportunities.rowCount,
          opportunityChanges: s.opportunities.changes.count,
          activities: s.activities.rowCount,
          loadedAt: s.loadedAt,
          loadMs: s.loadMs,
        },
        200,
      );
    },
  );

  app.openapi(
    secureRoute(table, importer, {
      method: 'get',
      path: '/api/mappings',
      summary: 'Built-in import mappings and the files each reads',
      responses: {
        200: {
          description: 'Mappings',
          content: { 'application/json': { schema: z.object({ mappings: z.array(Mapping) }) } },
        },
      },
    }),
    (c) =>
      c.json(
        {
          mappings: builtInMappings.map((m) => ({
            name: m.name,
            label: m.label,
            description: m.description,
            files: m.files.map((f) => ({
              entity: f.entity,
              label: f.label,
              requiredColumns: f.requiredColumns,
            })),
          })),
        },
        200,
      ),
  );
}
