import { z } from '@hono/zod-openapi';

/** One problem of a problem+json answer (src/domain/errors.ts, Problem). */
export const ProblemItem = z.object({
  file: z.string().optional(),
  line: z.number().optional(),
  field: z.string().optional(),
  value: z.string().optional(),
  message: z.string(),
});

/** The content of every error answer: application/problem+json (src/http/problem.ts). */
export const problemJson = {
  'application/problem+json': {
    schema: z.object({ title: z.string(), code: z.string(), problems: z.array(ProblemItem) }),
  },
};

/** A database id in a path or a query. */
export const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const IdParam = z.object({ id });
