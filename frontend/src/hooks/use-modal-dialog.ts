import { useEffect, useRef } from 'react';

/**
 * A `<dialog>` shown modally while `open` and closed otherwise: the browser then traps focus,
 * Escape cancels and focus returns to the control that opened it. Attach the ref to the dialog.
 */
export function useModalDialog(open: boolean) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return ref;
}
