// A WhatsApp template message drawn as the recipient's phone shows it: the header (its text, or
// the image, video or document), the body with the values filled in — a variable without a value
// is marked, in words for screen readers too — the footer, and the buttons as chips beneath.
import { useId } from 'react';
import type { TemplateButton, TemplateHeader } from '@/lib/whatsapp-templates';
import { isHeaderMedia } from '@/lib/whatsapp-templates';
import { fillTemplateText, mediaNoun } from '@/utils/template-variables';

export interface TemplateBubbleProps {
  header?: TemplateHeader | undefined;
  body: string;
  footer?: string | null | undefined;
  buttons?: readonly Pick<TemplateButton, 'type' | 'text'>[] | undefined;
  /** The value of a header variable, by name; blank or undefined = not filled in. */
  headerValue?: ((name: string) => string | null | undefined) | undefined;
  bodyValue?: ((name: string) => string | null | undefined) | undefined;
  /** The header's file, once chosen: a thumbnail URL (images) and its name. */
  media?: { url?: string | null | undefined; name?: string | null | undefined } | null | undefined;
  /** The figure's caption. */
  caption?: string | undefined;
}

const none = () => undefined;

function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function Filled({ text, valueOf }: { text: string; valueOf: (name: string) => string | null | undefined }) {
  return (
    <>
      {fillTemplateText(text, valueOf).map((segment, i) => {
        switch (segment.kind) {
          case 'text':
            return <span key={i}>{segment.text}</span>;
          case 'value':
            return (
              <span key={i} className="wa-var">
                {segment.value}
              </span>
            );
          case 'missing':
            return (
              <mark key={i} className="wa-var wa-var--missing">
                {`{{${segment.name}}}`}
                <span className="visually-hidden"> (not filled in)</span>
              </mark>
            );
        }
      })}
    </>
  );
}

const BUTTON_MARK: Record<string, string> = { URL: '↗', PHONE_NUMBER: '☎', COPY_CODE: '⧉', OTP: '⧉' };

export function TemplateBubble({
  header,
  body,
  footer,
  buttons = [],
  headerValue = none,
  bodyValue = none,
  media,
  caption = 'Preview',
}: TemplateBubbleProps) {
  const format = header?.format;
  const captionId = useId();
  return (
    <figure className="wa-preview" aria-labelledby={captionId}>
      <figcaption className="wa-preview__caption" id={captionId}>
        {caption}
      </figcaption>
      <div className="wa-preview__screen">
        <div className="wa-bubble">
          {isHeaderMedia(format) ? (
            media?.url && format === 'IMAGE' ? (
              <img className="wa-bubble__image" src={media.url} alt={media.name ? `Header image: ${media.name}` : 'Header image'} />
            ) : (
              <div className={`wa-bubble__media${media?.name ? '' : ' wa-bubble__media--empty'}`}>
                {media?.name ? `${capitalised(mediaNoun(format))}: ${media.name}` : `${capitalised(mediaNoun(format))} header`}
              </div>
            )
          ) : header?.text ? (
            <p className="wa-bubble__header">
              <Filled text={header.text} valueOf={headerValue} />
            </p>
          ) : null}
          <p className="wa-bubble__body">
            {body.trim() ? <Filled text={body} valueOf={bodyValue} /> : <span className="muted">The message’s text appears here.</span>}
          </p>
          {footer?.trim() ? <p className="wa-bubble__footer">{footer}</p> : null}
        </div>
        {buttons.length > 0 ? (
          <ul className="wa-buttons" aria-label="Buttons">
            {buttons.map((button, i) => (
              <li key={i} className="wa-chip">
                {BUTTON_MARK[button.type] ? <span aria-hidden="true">{BUTTON_MARK[button.type]} </span> : null}
                {button.text || <span className="muted">(no text)</span>}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </figure>
  );
}
