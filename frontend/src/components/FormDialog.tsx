import { useId, type ReactNode, type SubmitEvent } from 'react';
import { useModalDialog } from '@/hooks/use-modal-dialog';
import { Button } from './Button';

export interface FormDialogProps {
  open: boolean;
  title: string;
  /** The fields. */
  children: ReactNode;
  submitLabel: string;
  onSubmit: () => void;
  onCancel: () => void;
  busy?: boolean;
  /** Shown inside the dialog when the submitted action failed. */
  error?: ReactNode;
}

/**
 * A modal form built on `<dialog>` (like ConfirmDialog, for a question that needs answers): the
 * browser traps focus, Escape cancels, focus returns to the control that opened it; Enter submits.
 */
export function FormDialog({ open, title, children, submitLabel, onSubmit, onCancel, busy = false, error }: FormDialogProps) {
  const ref = useModalDialog(open);
  const titleId = useId();

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!busy) onSubmit();
  };

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <form noValidate onSubmit={submit} className="dialog__form">
        <h2 className="dialog__title" id={titleId}>
          {title}
        </h2>
        <div className="dialog__body">{open ? children : null}</div>
        {error ? <div className="dialog__error">{error}</div> : null}
        <div className="dialog__actions">
          <Button variant="secondary" onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" busy={busy}>
            {submitLabel}
          </Button>
        </div>
      </form>
    </dialog>
  );
}
