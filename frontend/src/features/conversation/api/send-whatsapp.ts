// POST /api/messages/whatsapp: free-form text or a file inside the 24-hour window, an approved
// template at any time (`TEMPLATE_REQUIRED` when text or a file is sent outside the window), from
// one of the organisation's WhatsApp numbers (`from`; omitted = its default). Answers 202. A file
// is uploaded first (see lib/media-upload) and sent by its `s3Key`.
import { useRef, useState } from 'react';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { createMediaUpload, putUpload } from '@/lib/media-upload';
import { messageSchema, type Message } from './message';
import { sendHeaders, useSend, type SendOptions } from './send';

export interface WhatsAppTemplate {
  name: string;
  /** e.g. `en_US`. */
  language: string;
  /** The values of the template's variables, in the order of its `variables` (the header's, then the body's). */
  parameters: string[];
  /** The uploaded header image, video or document (its `s3Key`): required when the header is media. */
  headerMedia?: { s3Key: string };
}

export interface WhatsAppMedia {
  /** From POST /api/media/uploads, after the file was PUT there. */
  s3Key: string;
  /** Shown under images, videos and documents (1–4096 characters). */
  caption?: string;
  /** Shown for documents (1–240 characters). */
  filename?: string;
}

/** A WhatsApp message is text, a template or a file: exactly one of them. */
export type WhatsAppContent = { text: string } | { template: WhatsAppTemplate } | { media: WhatsAppMedia };

export type SendWhatsAppInput = WhatsAppContent & {
  contactId: string;
  /** A WhatsApp `senderId` (phone-number id) of GET /api/senders. */
  from?: string;
};

export function sendWhatsApp(api: ApiClient, input: SendWhatsAppInput, options: SendOptions): Promise<Message> {
  return api.post('/messages/whatsapp', input, messageSchema, { headers: sendHeaders(options) });
}

export function useSendWhatsApp(contactId: string) {
  const api = useApiClient();
  return useSend(contactId, (input: ({ text: string } | { template: WhatsAppTemplate }) & { from?: string }, keyFor) => {
    const body: SendWhatsAppInput = { contactId, ...input };
    return sendWhatsApp(api, body, { idempotencyKey: keyFor(body) });
  });
}

export interface SendFileInput {
  file: Blob & { name: string };
  /** The type checked against WhatsApp's list; the upload is signed for exactly this type. */
  mimeType: string;
  caption?: string;
  /** Sent for documents, which WhatsApp shows with their name. */
  filename?: string;
  from?: string;
}

/** Where a file send is: getting the upload URL and uploading, then sending the message. */
export type FileSendPhase = 'uploading' | 'sending';

/** Uploads a file (upload URL, then PUT), then sends it; `phase` says which step is running. */
export function useSendWhatsAppFile(contactId: string) {
  const api = useApiClient();
  const [phase, setPhase] = useState<FileSendPhase | null>(null);
  // The last upload, until its message is sent: a retry posts the same `s3Key` — so the same body,
  // under the same Idempotency-Key — instead of uploading the file again.
  const uploaded = useRef<{ file: Blob; mimeType: string; s3Key: string } | null>(null);
  const send = useSend(contactId, async ({ file, mimeType, caption, filename, from }: SendFileInput, keyFor): Promise<Message> => {
    try {
      let s3Key = uploaded.current?.file === file && uploaded.current.mimeType === mimeType ? uploaded.current.s3Key : null;
      if (!s3Key) {
        setPhase('uploading');
        const upload = await createMediaUpload(api, { mimeType, size: file.size, filename: file.name });
        await putUpload(upload, file, mimeType);
        uploaded.current = { file, mimeType, s3Key: upload.s3Key };
        s3Key = upload.s3Key;
      }
      setPhase('sending');
      const media: WhatsAppMedia = { s3Key };
      if (caption !== undefined) media.caption = caption;
      if (filename !== undefined) media.filename = filename;
      const body: SendWhatsAppInput = { contactId, media, ...(from === undefined ? {} : { from }) };
      const message = await sendWhatsApp(api, body, { idempotencyKey: keyFor(body) });
      uploaded.current = null;
      return message;
    } finally {
      setPhase(null);
    }
  });
  return { ...send, phase };
}
