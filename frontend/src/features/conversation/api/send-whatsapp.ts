// POST /api/messages/whatsapp: free-form text or a file inside the 24-hour window, an approved
// template at any time (`TEMPLATE_REQUIRED` when text or a file is sent outside the window).
// Answers 202. A file is uploaded first (see create-media-upload) and sent by its `s3Key`.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { createMediaUpload, putUpload } from './create-media-upload';
import { messageSchema, type Message } from './message';
import { addSentMessage, refreshAfterSend } from './timeline-cache';

export interface WhatsAppTemplate {
  name: string;
  /** e.g. `en_US`. */
  language: string;
  /** The values of {{1}}, {{2}}, … in order. */
  parameters: string[];
}

export interface WhatsAppMedia {
  /** From POST /api/media/uploads, after the file was PUT there. */
  s3Key: string;
  /** Shown under images, videos and documents (1–4096 characters). */
  caption?: string;
  /** Shown for documents (1–240 characters). */
  filename?: string;
}

export type SendWhatsAppInput =
  | { contactId: string; text: string }
  | { contactId: string; template: WhatsAppTemplate }
  | { contactId: string; media: WhatsAppMedia };

export function sendWhatsApp(api: ApiClient, input: SendWhatsAppInput): Promise<Message> {
  return api.post('/messages/whatsapp', input, messageSchema);
}

export function useSendWhatsApp(contactId: string) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { text: string } | { template: WhatsAppTemplate }) =>
      sendWhatsApp(api, { contactId, ...input }),
    onSuccess: (message) => addSentMessage(queryClient, message),
    onSettled: () => refreshAfterSend(queryClient, contactId),
  });
}

export interface SendFileInput {
  file: Blob & { name: string };
  /** The type checked against WhatsApp's list; the upload is signed for exactly this type. */
  mimeType: string;
  caption?: string;
  /** Sent for documents, which WhatsApp shows with their name. */
  filename?: string;
}

/** Where a file send is: getting the upload URL and uploading, then sending the message. */
export type FileSendPhase = 'uploading' | 'sending';

/** Uploads a file (upload URL, then PUT), then sends it; `phase` says which step is running. */
export function useSendWhatsAppFile(contactId: string) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  const [phase, setPhase] = useState<FileSendPhase | null>(null);
  const mutation = useMutation({
    mutationFn: async ({ file, mimeType, caption, filename }: SendFileInput) => {
      setPhase('uploading');
      const upload = await createMediaUpload(api, { mimeType, size: file.size, filename: file.name });
      await putUpload(upload, file, mimeType);
      setPhase('sending');
      const media: WhatsAppMedia = { s3Key: upload.s3Key };
      if (caption !== undefined) media.caption = caption;
      if (filename !== undefined) media.filename = filename;
      return sendWhatsApp(api, { contactId, media });
    },
    onSuccess: (message) => addSentMessage(queryClient, message),
    onSettled: () => {
      setPhase(null);
      return refreshAfterSend(queryClient, contactId);
    },
  });
  return { ...mutation, phase };
}
