// Users (Admins): the team by email, with each member's role, whether they are enabled, whether
// they have signed in since being invited, and when they last did. An Admin invites someone with a
// role, changes a role, and disables (after a confirmation) or enables a member; each applies at
// the member's next request. The last enabled Admin cannot be demoted or disabled: the page says so.
import { useState } from 'react';
import { Alert } from '@/components/Alert';
import { Button, ButtonLink } from '@/components/Button';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { FormDialog } from '@/components/FormDialog';
import { NoAccess } from '@/components/NoAccess';
import { PageHeader } from '@/components/PageHeader';
import { SelectField } from '@/components/SelectField';
import { Skeleton } from '@/components/Skeleton';
import { usePageTitle } from '@/hooks/use-page-title';
import { describeError } from '@/lib/api-error';
import { useCan, useCurrentUser } from '@/lib/authorization';
import type { Member, Role } from '../api/member';
import { useUsers } from '../api/get-users';
import { useUpdateUser } from '../api/update-user';
import { InviteUserDialog } from './InviteUserDialog';
import { changeErrorMessage, lastSignInLabel, memberName, ROLE_DESCRIPTIONS, ROLE_OPTIONS, statusView } from './users-text';
import './users.css';

type Pending = { kind: 'role'; member: Member } | { kind: 'disable'; member: Member } | null;

function RoleDialog({ member, onClose, onDone }: { member: Member | null; onClose: () => void; onDone: (message: string) => void }) {
  const update = useUpdateUser();
  const [role, setRole] = useState<Role>(member?.role ?? 'Viewer');
  const [shown, setShown] = useState(member?.userId);
  if (shown !== member?.userId) {
    setShown(member?.userId);
    setRole(member?.role ?? 'Viewer');
    update.reset();
  }
  const close = () => {
    update.reset();
    onClose();
  };
  return (
    <FormDialog
      open={member !== null}
      title={member ? `Change the role of ${memberName(member)}` : ''}
      submitLabel="Change role"
      busy={update.isPending}
      onCancel={close}
      error={member && update.error ? <Alert>{changeErrorMessage(update.error, member)}</Alert> : null}
      onSubmit={() => {
        if (!member) return;
        if (role === member.role) {
          close();
          return;
        }
        update.mutate(
          { userId: member.userId, change: { role } },
          {
            onSuccess: (m) => {
              onClose();
              onDone(`${memberName(m)} is now ${m.role === 'Admin' ? 'an' : 'a'} ${m.role}. It applies at their next request.`);
            },
          },
        );
      }}
    >
      <SelectField label="Role" name="role" value={role} options={ROLE_OPTIONS} onChange={(e) => setRole(e.target.value as Role)} hint={ROLE_DESCRIPTIONS[role]} />
    </FormDialog>
  );
}

function MemberRow({
  member,
  isYou,
  onRole,
  onDisable,
  onEnable,
  enabling,
}: {
  member: Member;
  isYou: boolean;
  onRole: () => void;
  onDisable: () => void;
  onEnable: () => void;
  enabling: boolean;
}) {
  const name = memberName(member);
  return (
    <tr>
      <th scope="row" className="users-table__who">
        {name}
        {isYou ? <span className="muted"> (you)</span> : null}
        {member.invitedBy ? <span className="muted users-table__invited">Invited by {member.invitedBy}</span> : null}
      </th>
      <td>{member.role}</td>
      <td>
        <span className="users-table__badges">
          {statusView(member).map((s) => (
            <span key={s.label} className={`status-badge status-badge--${s.tone}`}>
              {s.label}
            </span>
          ))}
        </span>
      </td>
      <td>{lastSignInLabel(member)}</td>
      <td>
        <span className="users-table__actions">
          <Button variant="secondary" onClick={onRole} aria-label={`Change role of ${name}`}>
            Change role
          </Button>
          <ButtonLink variant="ghost" to={`/audit?resourceType=user&resourceId=${encodeURIComponent(member.userId)}`} aria-label={`History of ${name}`}>
            History
          </ButtonLink>
          {member.status === 'ENABLED' ? (
            <Button variant="secondary" onClick={onDisable} aria-label={`Disable ${name}`}>
              Disable
            </Button>
          ) : (
            <Button variant="secondary" onClick={onEnable} busy={enabling} aria-label={`Enable ${name}`}>
              Enable
            </Button>
          )}
        </span>
      </td>
    </tr>
  );
}

export function UsersPage() {
  usePageTitle('Users');
  const allowed = useCan('manageUsers');
  const me = useCurrentUser();
  const users = useUsers(allowed);
  const update = useUpdateUser();
  const [inviting, setInviting] = useState(false);
  const [pending, setPending] = useState<Pending>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const items = users.data?.pages.flatMap((p) => p.items);

  if (!allowed) return <NoAccess what="manage users" />;

  const disabling = pending?.kind === 'disable' ? pending.member : null;
  const enable = (member: Member) => {
    setNotice(null);
    setFailure(null);
    update.mutate(
      { userId: member.userId, change: { enabled: true } },
      {
        onSuccess: (m) => setNotice(`${memberName(m)} is enabled again and can sign in.`),
        onError: (error) => setFailure(changeErrorMessage(error, member)),
      },
    );
  };

  const body = () => {
    if (users.isPending) {
      return (
        <div aria-hidden="true" className="users-skeleton">
          {[0, 1, 2, 3].map((i) => (
            <Skeleton key={i} height="2.4rem" />
          ))}
        </div>
      );
    }
    if (users.isError && !items) {
      return (
        <Alert title="The team could not be loaded.">
          <p>{describeError(users.error)}</p>
          <Button variant="secondary" onClick={() => void users.refetch()}>
            Try again
          </Button>
        </Alert>
      );
    }
    if (!items || items.length === 0) {
      return (
        <div className="empty">
          <p>No one is listed yet.</p>
          <p className="muted">People appear here once invited, or after their first sign-in. Invite someone with “Invite user”.</p>
        </div>
      );
    }
    return (
      <>
        <div className="table-scroll">
          <table className="table users-table" aria-label="Users by email">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Last sign-in</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((member) => (
                <MemberRow
                  key={member.userId}
                  member={member}
                  isYou={member.userId === me.userId}
                  onRole={() => setPending({ kind: 'role', member })}
                  onDisable={() => {
                    update.reset();
                    setPending({ kind: 'disable', member });
                  }}
                  onEnable={() => enable(member)}
                  enabling={update.isPending && update.variables.userId === member.userId}
                />
              ))}
            </tbody>
          </table>
        </div>
        {users.hasNextPage ? (
          <div className="load-more">
            <Button variant="secondary" onClick={() => void users.fetchNextPage()} busy={users.isFetchingNextPage}>
              {users.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </Button>
          </div>
        ) : null}
      </>
    );
  };

  return (
    <>
      <PageHeader title="Users" actions={<Button onClick={() => setInviting(true)}>Invite user</Button>}>
        <p className="muted">Who can sign in to your organisation, and with which role. Changes apply at each person’s next request.</p>
      </PageHeader>
      {notice ? <Alert tone="success">{notice}</Alert> : null}
      {failure ? <Alert>{failure}</Alert> : null}
      {body()}
      <InviteUserDialog
        open={inviting}
        onClose={() => {
          setInviting(false);
        }}
      />
      <RoleDialog
        member={pending?.kind === 'role' ? pending.member : null}
        onClose={() => setPending(null)}
        onDone={(message) => {
          setFailure(null);
          setNotice(message);
        }}
      />
      <ConfirmDialog
        open={disabling !== null}
        title={disabling ? `Disable ${memberName(disabling)}?` : ''}
        confirmLabel="Disable"
        busy={update.isPending}
        error={disabling && update.error ? <Alert>{changeErrorMessage(update.error, disabling)}</Alert> : null}
        onCancel={() => {
          update.reset();
          setPending(null);
        }}
        onConfirm={() => {
          if (!disabling) return;
          update.mutate(
            { userId: disabling.userId, change: { enabled: false } },
            {
              onSuccess: (m) => {
                setPending(null);
                setFailure(null);
                setNotice(`${memberName(m)} is disabled: signed out everywhere, and unable to sign in until enabled again.`);
              },
            },
          );
        }}
      >
        <p>
          They are signed out everywhere at their next request and cannot sign in until an Admin enables them again. Nothing they did is
          removed.
        </p>
      </ConfirmDialog>
    </>
  );
}
