import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The public data sets beside the repository (../shared/data); never copied into it. */
export const sharedDataDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'shared',
  'data',
);

/** Whether a data set is present; tests that need it skip with a message where it is not. */
export function hasSharedData(dataSet: string): boolean {
  const present = fs.existsSync(path.join(sharedDataDir, dataSet));
  if (!present)
    console.warn(
      `Skipping: ${path.join(sharedDataDir, dataSet)} is absent (the public data sets live beside the repository, in ../shared/data).`,
    );
  return present;
}
