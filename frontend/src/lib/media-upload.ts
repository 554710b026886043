// POST /api/media/uploads {mimeType, size, filename?} → 201 {uploadUrl, s3Key, kind, expiresAt}:
// where to put a file before it is sent on WhatsApp (the API checks type and size against
// WhatsApp's limits first; Viewers are refused). The browser then PUTs the bytes straight to
// `uploadUrl` — a presigned S3 URL on another origin, valid for about five minutes — with the
// declared `Content-Type`, and sends the message with the `s3Key`.
import * as z from 'zod/mini';
import type { ApiClient } from '@/lib/api-client';
import { ApiError } from '@/lib/api-error';

export const mediaUploadSchema = z.object({
  uploadUrl: z.string().check(z.minLength(1)),
  s3Key: z.string().check(z.minLength(1)),
  kind: z.string(),
  expiresAt: z.string(),
});

export type MediaUpload = z.infer<typeof mediaUploadSchema>;

export interface MediaUploadInput {
  mimeType: string;
  size: number;
  filename?: string;
}

export function createMediaUpload(api: ApiClient, input: MediaUploadInput): Promise<MediaUpload> {
  return api.post('/media/uploads', input, mediaUploadSchema);
}

/** PUTs the file to the presigned URL. Fails with an `UPLOAD_FAILED` ApiError. */
export async function putUpload(
  upload: Pick<MediaUpload, 'uploadUrl'>,
  file: Blob,
  mimeType: string,
  fetchFn: typeof fetch = (...args) => fetch(...args),
): Promise<void> {
  let response: Response;
  try {
    // No credentials and no token: the signature in the URL is the authorization.
    response = await fetchFn(upload.uploadUrl, { method: 'PUT', headers: { 'Content-Type': mimeType }, body: file });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(0, 'UPLOAD_FAILED', 'the file storage could not be reached');
  }
  if (!response.ok) throw new ApiError(response.status, 'UPLOAD_FAILED', `the file storage answered HTTP ${response.status}`);
}

/**
 * Uploads a file the whole way (upload URL, then PUT) and answers its `s3Key`: what a message
 * refers to the file by (a WhatsApp template's header media, `headerMediaId`, included).
 */
export async function uploadMedia(api: ApiClient, file: Blob & { name?: string }, mimeType: string): Promise<string> {
  const upload = await createMediaUpload(api, { mimeType, size: file.size, ...(file.name ? { filename: file.name } : {}) });
  await putUpload(upload, file, mimeType);
  return upload.s3Key;
}
