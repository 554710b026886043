// One audit entry in full: when, who (with their role then), what, on which resource, how it
// ended, from where, and the values it changed side by side. From here the log can be narrowed to
// everything the same person did, or everything that happened to the same resource.
import { useId } from 'react';
import { Link } from 'react-router';
import { Button } from '@/components/Button';
import { useModalDialog } from '@/hooks/use-modal-dialog';
import { formatDateTime } from '@/utils/format';
import type { AuditEntry } from '../api/audit-entry';
import { actionLabel, actorLabel, changeRows, outcomeView, resourceLabel, resourceLink } from './audit-text';

export interface AuditEntryDialogProps {
  entry: AuditEntry | null;
  onClose: () => void;
  onActor: (entry: AuditEntry) => void;
  onResource: (entry: AuditEntry) => void;
}

export function AuditEntryDialog({ entry, onClose, onActor, onResource }: AuditEntryDialogProps) {
  const ref = useModalDialog(entry !== null);
  const titleId = useId();
  const rows = entry ? changeRows(entry.before, entry.after) : [];
  const link = entry ? resourceLink(entry) : null;
  const outcome = entry ? outcomeView(entry.outcome) : null;

  return (
    <dialog
      ref={ref}
      className="dialog audit-dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <h2 className="dialog__title" id={titleId}>
        {entry ? actionLabel(entry.action) : ''}
      </h2>
      {entry && outcome ? (
        <div className="dialog__body">
          <dl className="details audit-dialog__facts">
            <div className="details__row">
              <dt>When</dt>
              <dd>
                <time dateTime={entry.at}>{formatDateTime(entry.at)}</time> <span className="muted">({entry.at})</span>
              </dd>
            </div>
            <div className="details__row">
              <dt>Who</dt>
              <dd>
                {actorLabel(entry)} <span className="muted">as {entry.actorRole}</span>
              </dd>
            </div>
            <div className="details__row">
              <dt>What</dt>
              <dd>
                {actionLabel(entry.action)} <code className="audit-code">{entry.action}</code>
              </dd>
            </div>
            <div className="details__row">
              <dt>On</dt>
              <dd>{link ? <Link to={link}>{resourceLabel(entry)}</Link> : resourceLabel(entry)}</dd>
            </div>
            <div className="details__row">
              <dt>Outcome</dt>
              <dd>
                <span className={`status-badge status-badge--${outcome.tone}`}>{outcome.label}</span>
              </dd>
            </div>
            <div className="details__row">
              <dt>From</dt>
              <dd>
                {entry.sourceIp ?? 'Inside the platform'}
                {entry.userAgent ? <span className="muted audit-dialog__agent"> · {entry.userAgent}</span> : null}
              </dd>
            </div>
            {entry.requestId ? (
              <div className="details__row">
                <dt>Request</dt>
                <dd>
                  <code className="audit-code">{entry.requestId}</code>
                </dd>
              </div>
            ) : null}
          </dl>
          <h3 className="audit-dialog__subtitle">Recorded values</h3>
          {rows.length > 0 ? (
            <div className="table-scroll">
              <table className="table audit-changes">
                <caption className="visually-hidden">Values before and after</caption>
                <thead>
                  <tr>
                    <th scope="col">Field</th>
                    <th scope="col">Before</th>
                    <th scope="col">After</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((row) => (
                    <tr key={row.field} className={row.changed ? 'audit-changes__changed' : undefined}>
                      <th scope="row">{row.field}</th>
                      <td>{row.before}</td>
                      <td>{row.after}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="muted">Nothing was recorded beyond who, what and when.</p>
          )}
        </div>
      ) : null}
      <div className="dialog__actions">
        {entry ? (
          <>
            <Button variant="secondary" onClick={() => onActor(entry)}>
              Everything by this person
            </Button>
            {entry.resourceId !== '*' ? (
              <Button variant="secondary" onClick={() => onResource(entry)}>
                History of this {entry.resourceType === 'user' ? 'user' : 'item'}
              </Button>
            ) : null}
          </>
        ) : null}
        <Button onClick={onClose} autoFocus>
          Close
        </Button>
      </div>
    </dialog>
  );
}
