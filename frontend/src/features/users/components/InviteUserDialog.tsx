// Inviting someone: their email and role. Once invited, the dialog shows where the temporary
// password is: on screen, once (a local stack, whose Cognito sends no mail), or in their inbox.
import { useId, useState } from 'react';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { FormDialog } from '@/components/FormDialog';
import { SelectField } from '@/components/SelectField';
import { TextField } from '@/components/TextField';
import { useModalDialog } from '@/hooks/use-modal-dialog';
import { ApiError, describeError, fieldErrorOf } from '@/lib/api-error';
import type { Role } from '../api/member';
import { useInviteUser, type Invite } from '../api/invite-user';
import { ROLE_DESCRIPTIONS, ROLE_OPTIONS } from './users-text';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function InvitedDialog({ invite, onClose }: { invite: Invite | null; onClose: () => void }) {
  const ref = useModalDialog(invite !== null);
  const titleId = useId();
  const [copied, setCopied] = useState(false);
  const email = invite ? (invite.user.email ?? '') : '';
  const done = () => {
    setCopied(false);
    onClose();
  };
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        done();
      }}
    >
      <h2 className="dialog__title" id={titleId}>
        {email} is invited
      </h2>
      {invite ? (
        <div className="dialog__body">
          {invite.temporaryPassword ? (
            <>
              <p>
                Give them this temporary password. It is shown <strong>only now</strong>: it is not kept anywhere, and closing this
                dialog hides it for good.
              </p>
              <p className="temporary-password">
                <span className="visually-hidden">Temporary password: </span>
                <code data-testid="temporary-password">{invite.temporaryPassword}</code>
                <Button
                  variant="secondary"
                  onClick={() => {
                    // Absent outside a secure context (a console served over plain http by a hostname).
                    const clipboard = navigator.clipboard as Clipboard | undefined;
                    void clipboard?.writeText(invite.temporaryPassword ?? '').then(
                      () => setCopied(true),
                      () => setCopied(false),
                    );
                  }}
                >
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              </p>
              <p className="muted">
                At their first sign-in, with {email} and this password, they choose a password of their own. It expires in 7 days.
              </p>
            </>
          ) : (
            <p>
              Cognito has emailed {email} a temporary password. At their first sign-in they choose a password of their own. It expires
              in 7 days.
            </p>
          )}
        </div>
      ) : null}
      <div className="dialog__actions">
        <Button onClick={done} autoFocus>
          Done
        </Button>
      </div>
    </dialog>
  );
}

export function InviteUserDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const invite = useInviteUser();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('Operator');
  const [checked, setChecked] = useState(false);
  const [invited, setInvited] = useState<Invite | null>(null);

  const emailProblem = !checked
    ? undefined
    : email.trim() === ''
      ? 'Enter their email address.'
      : !EMAIL.test(email.trim())
        ? 'Enter an email address like name@example.com.'
        : undefined;
  const serverField = fieldErrorOf(invite.error);
  const emailError = emailProblem ?? (serverField?.field === 'email' ? `${serverField.message.charAt(0).toUpperCase()}${serverField.message.slice(1)}.` : undefined);
  const generalError =
    invite.error && !(serverField?.field === 'email')
      ? invite.error instanceof ApiError && invite.error.code === 'CONFLICT'
        ? 'Someone with this email address already has an account. Find them in the list, or use another address.'
        : describeError(invite.error)
      : null;

  const close = () => {
    setEmail('');
    setRole('Operator');
    setChecked(false);
    invite.reset();
    onClose();
  };

  return (
    <>
      <FormDialog
        open={open}
        title="Invite a user"
        submitLabel="Send invite"
        busy={invite.isPending}
        onCancel={close}
        error={generalError ? <Alert>{generalError}</Alert> : null}
        onSubmit={() => {
          setChecked(true);
          if (email.trim() === '' || !EMAIL.test(email.trim())) return;
          invite.mutate(
            { email, role },
            {
              onSuccess: (answer) => {
                close();
                setInvited(answer);
              },
            },
          );
        }}
      >
        <TextField label="Email" name="email" type="email" autoComplete="off" required value={email} onChange={(e) => setEmail(e.target.value)} error={emailError} />
        <SelectField
          label="Role"
          name="role"
          value={role}
          options={ROLE_OPTIONS}
          onChange={(e) => setRole(e.target.value as Role)}
          hint={ROLE_DESCRIPTIONS[role]}
        />
      </FormDialog>
      <InvitedDialog invite={invited} onClose={() => setInvited(null)} />
    </>
  );
}
