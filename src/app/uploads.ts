import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import { AppError } from '../domain/errors.ts';

/** An uploaded file, owned by the user who uploaded it (null: the console). */
export type Upload = {
  id: string;
  fileName: string;
  path: string;
  bytes: number;
  ownerUserId: number | null;
};

/**
 * Files uploaded for import, streamed to disk (never held in memory whole) under the data
 * directory, kept until imported or until the server restarts.
 */
export class UploadStore {
  private readonly uploads = new Map<string, Upload>();

  constructor(
    private readonly directory: string,
    private readonly maxBytes: number,
  ) {
    fs.rmSync(directory, { recursive: true, force: true });
    fs.mkdirSync(directory, { recursive: true });
  }

  /** Streams a request body to a file, refusing it (and deleting what was written) past the limit. */
  async save(
    fileName: string,
    body: ReadableStream<Uint8Array> | null,
    ownerUserId: number | null = null,
  ): Promise<Upload> {
    const safeName = path.basename(fileName).replace(/[^\w.\- ]+/g, '_') || 'upload';
    if (!body)
      throw new AppError('validation', 'The upload has no body: send the file bytes as the request body.', [
        { field: 'body', message: 'is empty' },
      ]);
    const id = crypto.randomUUID();
    const filePath = path.join(this.directory, `${id}-${safeName}`);
    let bytes = 0;
    const limit = this.maxBytes;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        if (bytes > limit)
          callback(
            new AppError(
              'payload_too_large',
              `${safeName} is larger than the ${Math.round(limit / 1048576)} MiB limit (ATTAIN_MAX_UPLOAD_MB).`,
            ),
          );
        else callback(null, chunk);
      },
    });
    try {
      await pipeline(
        Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>),
        counter,
        fs.createWriteStream(filePath),
      );
    } catch (error) {
      fs.rmSync(filePath, { force: true });
      throw error;
    }
    if (bytes === 0) {
      fs.rmSync(filePath, { force: true });
      throw new AppError('validation', `${safeName} is empty.`, [
        { file: safeName, message: 'the file is empty' },
      ]);
    }
    const upload = { id, fileName: safeName, path: filePath, bytes, ownerUserId };
    this.uploads.set(id, upload);
    return upload;
  }

  /** An upload of this user's; another user's upload is not found (its id proves nothing). */
  getOrThrow(id: string, ownerUserId: number | null = null): Upload {
    const upload = this.uploads.get(id);
    if (!upload || upload.ownerUserId !== ownerUserId)
      throw new AppError('not_found', `No upload ${id}: upload the file again.`, [
        { field: 'uploads', value: id, message: 'unknown upload id' },
      ]);
    return upload;
  }

  remove(id: string): void {
    const upload = this.uploads.get(id);
    if (upload) fs.rmSync(upload.path, { force: true });
    this.uploads.delete(id);
  }
}
