// A recipients CSV: POST /api/bulk-jobs/uploads {fileName} → 201 {uploadId, url, method, headers,
// expiresAt}, then the browser PUTs the file to `url` (a presigned URL of the reports bucket, on
// another origin) with exactly those headers, reporting its progress, and previews or creates the
// job with `{type: "upload", uploadId}`. No token goes to the bucket: the URL's signature is the
// authorization.
import * as z from 'zod/mini';
import type { ApiClient } from '@/lib/api-client';
import { ApiError } from '@/lib/api-error';

export const uploadSchema = z.object({
  uploadId: z.string().check(z.minLength(1)),
  url: z.string().check(z.minLength(1)),
  method: z._default(z.string(), 'PUT'),
  headers: z._default(z.record(z.string(), z.string()), {}),
  expiresAt: z.string(),
});

export type CsvUpload = z.infer<typeof uploadSchema>;

export function createCsvUpload(api: ApiClient, fileName: string): Promise<CsvUpload> {
  return api.post('/bulk-jobs/uploads', { fileName }, uploadSchema);
}

export interface UploadProgress {
  loaded: number;
  total: number;
}

/** The part of XMLHttpRequest a PUT with progress needs (a fake in unit tests). */
export type XhrLike = Pick<XMLHttpRequest, 'open' | 'setRequestHeader' | 'send' | 'abort' | 'status' | 'upload'> & {
  onload: ((this: XMLHttpRequest, ev: ProgressEvent) => unknown) | null;
  onerror: ((this: XMLHttpRequest, ev: ProgressEvent) => unknown) | null;
  onabort: ((this: XMLHttpRequest, ev: ProgressEvent) => unknown) | null;
};

/**
 * PUTs `file` where the upload says, calling `onProgress` as bytes go out (fetch cannot report an
 * upload's progress; XMLHttpRequest can). Fails with an `UPLOAD_FAILED` ApiError; an abort through
 * `signal` rejects with an AbortError.
 */
export function putCsv(
  upload: Pick<CsvUpload, 'url' | 'method' | 'headers'>,
  file: Blob,
  { onProgress, signal, makeXhr = () => new XMLHttpRequest() }: { onProgress?: (p: UploadProgress) => void; signal?: AbortSignal; makeXhr?: () => XhrLike } = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new DOMException('aborted', 'AbortError'));
      return;
    }
    const xhr = makeXhr();
    xhr.open(upload.method || 'PUT', upload.url);
    for (const [name, value] of Object.entries(upload.headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      onProgress?.({ loaded: event.loaded, total: event.lengthComputable ? event.total : file.size });
    };
    xhr.onload = () => {
      signal?.removeEventListener('abort', abort);
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress?.({ loaded: file.size, total: file.size });
        resolve();
      } else {
        reject(new ApiError(xhr.status, 'UPLOAD_FAILED', `the file storage answered HTTP ${xhr.status}`));
      }
    };
    xhr.onerror = () => {
      signal?.removeEventListener('abort', abort);
      reject(new ApiError(0, 'UPLOAD_FAILED', 'the file storage could not be reached'));
    };
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    function abort() {
      xhr.abort();
    }
    signal?.addEventListener('abort', abort, { once: true });
    xhr.send(file);
  });
}
