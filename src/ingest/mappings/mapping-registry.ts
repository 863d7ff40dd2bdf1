import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { AppError } from '../../domain/errors.ts';
import { stageCategories } from '../../domain/vocabulary.ts';
import { entityKinds, type FileSpec, type Mapping } from '../mapping.ts';
import { dateFormats } from '../parse-values.ts';
import { hubspotMapping } from './hubspot-mapping.ts';
import { mavenMapping } from './maven-mapping.ts';
import { nativeMapping } from './native-mapping.ts';
import { salesforceMapping } from './salesforce-mapping.ts';

/** The mappings Attain ships, in the order detection tries them. */
export const builtInMappings: Mapping[] = [nativeMapping, mavenMapping, salesforceMapping, hubspotMapping];

export function findBuiltInMapping(name: string): Mapping | undefined {
  return builtInMappings.find((m) => m.name === name);
}

const nativeSpecs = new Map(nativeMapping.files.map((f) => [f.entity, f]));

const mappingFileSchema = z.object({
  name: z.string().min(1),
  label: z.string().optional(),
  description: z.string().optional(),
  dateFormat: z.enum(dateFormats).default('YYYY-MM-DD'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default('USD'),
  stages: z
    .array(
      z.object({
        name: z.string().min(1),
        category: z.enum(stageCategories),
        probability: z.number().int().min(0).max(100),
      }),
    )
    .min(1),
  files: z
    .array(
      z.object({
        entity: z.enum(entityKinds),
        label: z.string().optional(),
        columns: z.record(z.string(), z.string().min(1)),
        constants: z.record(z.string(), z.string()).optional(),
        values: z.record(z.string(), z.record(z.string(), z.string())).optional(),
        moneyScale: z.record(z.string(), z.number().int().min(0).max(9)).optional(),
      }),
    )
    .min(1),
});

/**
 * Reads a mapping file the user wrote (JSON or YAML; docs/import.md has an example). Each file
 * entry names, for Attain's native fields, the column of the user's export that holds it.
 */
export function loadMappingFile(filePath: string): Mapping {
  const text = fs.readFileSync(filePath, 'utf8');
  let data: unknown;
  try {
    data = filePath.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (error) {
    throw new AppError(
      'validation',
      `${path.basename(filePath)} is not valid ${filePath.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
      [{ file: path.basename(filePath), message: (error as Error).message }],
    );
  }
  const parsed = mappingFileSchema.safeParse(data);
  if (!parsed.success) {
    throw new AppError(
      'validation',
      `${path.basename(filePath)} is not a valid mapping`,
      parsed.error.issues.map((i) => ({
        file: path.basename(filePath),
        field: i.path.join('.'),
        message: i.message,
      })),
    );
  }
  const problems = [];
  const files: FileSpec[] = [];
  for (const [index, f] of parsed.data.files.entries()) {
    const native = nativeSpecs.get(f.entity)!;
    const known = new Set(Object.keys(native.columns));
    for (const field of Object.keys(f.columns)) {
      if (!known.has(field))
        problems.push({
          file: path.basename(filePath),
          field: `files.${index}.columns.${field}`,
          message: `is not a field of ${f.entity} (known: ${[...known].join(', ')})`,
        });
    }
    const missing = native.requiredColumns.filter(
      (c) => !(c in f.columns) && !(f.constants && c in f.constants),
    );
    for (const field of missing)
      problems.push({
        file: path.basename(filePath),
        field: `files.${index}.columns`,
        message: `must map the required field ${field}`,
      });
    files.push({
      entity: f.entity,
      label: f.label ?? native.label,
      columns: f.columns,
      requiredColumns: native.requiredColumns.filter((c) => c in f.columns).map((c) => f.columns[c]!),
      constants: f.constants,
      values: f.values,
      moneyScale: f.moneyScale,
    });
  }
  if (problems.length > 0)
    throw new AppError('validation', `${path.basename(filePath)} is not a valid mapping`, problems);
  return {
    name: parsed.data.name,
    label: parsed.data.label ?? parsed.data.name,
    description: parsed.data.description ?? `Custom mapping from ${path.basename(filePath)}`,
    dateFormat: parsed.data.dateFormat,
    currency: parsed.data.currency,
    stages: parsed.data.stages,
    files,
  };
}
