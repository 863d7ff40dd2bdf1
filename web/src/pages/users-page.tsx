import { Fragment, useId, useState, type FormEvent } from 'react';
import {
  api,
  roleLabels,
  roles,
  toProblem,
  type OneTimeLink,
  type Problem,
  type Role,
  type User,
  type UserPatch,
} from '../api.ts';
import { fieldProblems, FormAlert } from '../components/form-alert.tsx';
import { OneTimeSecret } from '../components/one-time-secret.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { PersonPicker, type PickedPerson } from '../components/person-picker.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { formatInstant } from '../format.ts';
import { useSession } from '../session.tsx';
import { useLoad } from '../use-load.ts';

const roleHints: Record<Role, string> = {
  admin: 'Everything, including users and the audit trail.',
  comp_admin: 'Plans, pay runs, quotas and data imports; all records.',
  finance: 'All records and pay, and the audit trail; changes nothing.',
  sales_manager: 'Their team’s records and pay, and their team’s quotas.',
  sales_rep: 'Their own records and pay.',
  executive: 'All records; individual pay only when granted.',
};

/** Sales managers and reps see by their place in the hierarchy, so they must be linked to a person. */
function needsPerson(role: Role): boolean {
  return role === 'sales_manager' || role === 'sales_rep';
}

function linkNote(name: string, link: OneTimeLink, purpose: 'setup' | 'reset'): string {
  return `Send this link to ${name}. It is shown only once, works once, and expires on ${formatInstant(link.expiresAt)}. ${
    purpose === 'setup'
      ? 'Opening it lets them choose their password.'
      : 'Opening it lets them choose a new password; the old one keeps working until then.'
  }`;
}

function RoleSelect({ id, value, onChange }: { id: string; value: Role; onChange: (role: Role) => void }) {
  return (
    <select id={id} value={value} onChange={(event) => onChange(event.target.value as Role)}>
      {roles.map((role) => (
        <option key={role} value={role}>
          {roleLabels[role]}
        </option>
      ))}
    </select>
  );
}

function CreateUserForm({ onCreated }: { onCreated: (user: User, link: OneTimeLink) => void }) {
  const id = useId();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('sales_rep');
  const [person, setPerson] = useState<PickedPerson | null>(null);
  const [canViewPay, setCanViewPay] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    if (needsPerson(role) && !person) {
      setProblem({
        title: `A ${roleLabels[role].toLowerCase()} must be linked to their person in the hierarchy.`,
        problems: [{ field: 'personId', message: 'choose the person' }],
      });
      return;
    }
    setBusy(true);
    try {
      const created = await api.createUser({
        email: email.trim(),
        name: name.trim(),
        role,
        personId: person?.id ?? null,
        canViewPay: role === 'executive' && canViewPay,
      });
      onCreated(created.user, created.setupLink);
      setEmail('');
      setName('');
      setPerson(null);
      setCanViewPay(false);
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setBusy(false);
    }
  };

  const emailErrors = fieldProblems(problem, 'email');
  const personErrors = fieldProblems(problem, 'personId');
  return (
    <form className="form-stack" onSubmit={(event) => void submit(event)} aria-label="New user" noValidate>
      {problem && <FormAlert problem={problem} skipFields={['email', 'personId']} />}
      <div className="form-row">
        <div className="field">
          <label htmlFor={`${id}-email`}>Email</label>
          <input
            id={`${id}-email`}
            className="input"
            type="email"
            autoComplete="off"
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            aria-invalid={emailErrors.length > 0 || undefined}
          />
          {emailErrors.length > 0 && <span className="field-error">Email {emailErrors.join('; ')}.</span>}
        </div>
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            className="input"
            autoComplete="off"
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </div>
      </div>
      <div className="form-row">
        <div className="field">
          <label htmlFor={`${id}-role`}>Role</label>
          <RoleSelect id={`${id}-role`} value={role} onChange={setRole} />
          <span className="field-hint">{roleHints[role]}</span>
          {role === 'executive' && (
            <label className="checkbox checkbox-spaced">
              <input type="checkbox" checked={canViewPay} onChange={(e) => setCanViewPay(e.target.checked)} />
              <span>May see individual pay</span>
            </label>
          )}
        </div>
        <div>
          <PersonPicker
            label={needsPerson(role) ? 'Person in the hierarchy' : 'Person in the hierarchy (optional)'}
            hint={
              needsPerson(role)
                ? 'What they see follows this person’s place in the organisation, day by day.'
                : 'Links the account to a person, for their own scorecard.'
            }
            value={person}
            onChange={setPerson}
            invalid={personErrors.length > 0}
          />
          {personErrors.length > 0 && <span className="field-error">Person: {personErrors.join('; ')}.</span>}
        </div>
      </div>
      <div>
        <button
          type="submit"
          className="button button-primary"
          disabled={busy || email.trim() === '' || name.trim() === ''}
        >
          {busy ? 'Creating…' : 'Create user'}
        </button>
      </div>
    </form>
  );
}

function EditUserForm({
  user,
  onSaved,
  onCancel,
}: {
  user: User;
  onSaved: (user: User) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [name, setName] = useState(user.name);
  const [role, setRole] = useState<Role>(user.role);
  const [person, setPerson] = useState<PickedPerson | null>(
    user.personId === null ? null : { id: user.personId, name: user.personName ?? `Person ${user.personId}` },
  );
  const [canViewPay, setCanViewPay] = useState(user.canViewPay);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const patch: UserPatch = {};
    if (name.trim() !== user.name) patch.name = name.trim();
    if (role !== user.role) patch.role = role;
    if ((person?.id ?? null) !== user.personId) patch.personId = person?.id ?? null;
    if (canViewPay !== user.canViewPay) patch.canViewPay = canViewPay;
    if (Object.keys(patch).length === 0) return onCancel();
    setBusy(true);
    setProblem(null);
    try {
      onSaved(await api.updateUser(user.id, patch));
    } catch (error) {
      setProblem(toProblem(error));
      setBusy(false);
    }
  };

  return (
    <form
      className="form-stack"
      aria-label={`Edit ${user.email}`}
      onSubmit={(event) => void submit(event)}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && !(event.target as HTMLElement).matches('[role="combobox"]')) onCancel();
      }}
    >
      {problem && <FormAlert problem={problem} />}
      <div className="form-row form-row-3">
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} className="input" value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-role`}>Role</label>
          <RoleSelect id={`${id}-role`} value={role} onChange={setRole} />
          <span className="field-hint">{roleHints[role]}</span>
        </div>
        <PersonPicker
          label={needsPerson(role) ? 'Person in the hierarchy' : 'Person (optional)'}
          value={person}
          onChange={setPerson}
        />
      </div>
      {role === 'executive' && (
        <label className="checkbox">
          <input type="checkbox" checked={canViewPay} onChange={(e) => setCanViewPay(e.target.checked)} />
          <span>May see individual pay</span>
        </label>
      )}
      <p className="muted">Changing the role, person or pay grant signs the user out of their sessions.</p>
      <div className="inline-form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save changes'}
        </button>
        <button type="button" className="button button-ghost" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function UserStatus({ user }: { user: User }) {
  if (user.disabled) return <span className="badge badge-neutral">Disabled</span>;
  if (user.lockedUntil && Date.parse(user.lockedUntil) > Date.now())
    return (
      <span className="badge badge-warning" title={`Locked until ${formatInstant(user.lockedUntil)}`}>
        Locked
      </span>
    );
  if (!user.hasPassword && !user.sso) return <span className="badge badge-info">Invited</span>;
  return <span className="badge badge-success">Active</span>;
}

type Panel =
  | { userId: number; kind: 'edit' }
  | { userId: number; kind: 'link'; link: OneTimeLink; purpose: 'setup' | 'reset' };

/** Users and roles: create (with a one-time set-up link), change role or person, disable, unlock, reset. */
export function UsersPage() {
  const { user: me } = useSession();
  const loaded = useLoad(() => api.users(), []);
  const [created, setCreated] = useState<{ user: User; link: OneTimeLink } | null>(null);
  const [panel, setPanel] = useState<Panel | null>(null);
  const [rowProblem, setRowProblem] = useState<{ userId: number; problem: Problem } | null>(null);
  const [busyId, setBusyId] = useState<number | null>(null);

  const replace = (saved: User) =>
    loaded.setData((current) => current?.map((u) => (u.id === saved.id ? saved : u)) ?? current);

  const change = async (user: User, patch: UserPatch) => {
    setBusyId(user.id);
    setRowProblem(null);
    try {
      replace(await api.updateUser(user.id, patch));
    } catch (error) {
      setRowProblem({ userId: user.id, problem: toProblem(error) });
    } finally {
      setBusyId(null);
    }
  };

  const issueLink = async (user: User) => {
    setBusyId(user.id);
    setRowProblem(null);
    try {
      const link = await api.issueResetLink(user.id);
      setPanel({ userId: user.id, kind: 'link', link, purpose: user.hasPassword ? 'reset' : 'setup' });
    } catch (error) {
      setRowProblem({ userId: user.id, problem: toProblem(error) });
    } finally {
      setBusyId(null);
    }
  };

  const users = loaded.data;
  return (
    <>
      <PageHeader
        title="Users"
        tagline="Who can sign in, with which role, and what part of the organisation they see."
      />

      <section className="card" aria-labelledby="new-user-title">
        <div className="card-header">
          <div>
            <h2 id="new-user-title">New user</h2>
            <p className="card-description">
              Attain never sends email: creating a user gives you a one-time set-up link to send them
              yourself.
            </p>
          </div>
        </div>
        {created && (
          <div className="created-banner" role="status" data-testid="setup-link">
            <p className="notice notice-success">
              {created.user.name} ({created.user.email}) was created as{' '}
              {roleLabels[created.user.role].toLowerCase()}
              {created.user.personName ? `, linked to ${created.user.personName}` : ''}.
            </p>
            <OneTimeSecret
              label="Set-up link"
              value={created.link.url}
              note={linkNote(created.user.name, created.link, 'setup')}
              onDone={() => setCreated(null)}
            />
          </div>
        )}
        <CreateUserForm
          onCreated={(user, link) => {
            setCreated({ user, link });
            loaded.setData((current) => [...(current ?? []), user]);
          }}
        />
      </section>

      <section className="card" aria-labelledby="users-title">
        <div className="card-header">
          <div>
            <h2 id="users-title">Users</h2>
            <p className="card-description">
              Disabling a user ends their sessions and API tokens at once. Five failed sign-ins in a row lock
              an account for 15 minutes; unlock it here, or issue a reset link.
            </p>
          </div>
        </div>
        {loaded.problem && <ProblemAlert problem={loaded.problem} lead="Could not load the users." />}
        {!users ? (
          !loaded.problem && <p className="muted">Loading users…</p>
        ) : (
          <div className="table-wrap">
            <table className="table users-table" aria-label="Users">
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Role</th>
                  <th scope="col">Person</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last sign-in</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.map((user) => {
                  const locked = user.lockedUntil !== null && Date.parse(user.lockedUntil) > Date.now();
                  const open = panel?.userId === user.id ? panel : null;
                  const problem = rowProblem?.userId === user.id ? rowProblem.problem : null;
                  return (
                    <Fragment key={user.id}>
                      <tr data-user-email={user.email}>
                        <th scope="row">
                          {user.name}
                          {user.id === me.id && <span className="badge badge-info badge-inline">You</span>}
                          <span className="cell-sub">{user.email}</span>
                        </th>
                        <td data-testid="user-role">{roleLabels[user.role]}</td>
                        <td>{user.personName ?? <span className="muted">—</span>}</td>
                        <td>
                          <UserStatus user={user} />
                        </td>
                        <td className="tabular">
                          {user.lastSignInAt ? formatInstant(user.lastSignInAt) : 'Never'}
                        </td>
                        <td className="cell-actions">
                          <div className="action-group">
                            <button
                              type="button"
                              className="button button-secondary button-small"
                              aria-expanded={open?.kind === 'edit'}
                              onClick={() =>
                                setPanel(open?.kind === 'edit' ? null : { userId: user.id, kind: 'edit' })
                              }
                            >
                              Edit<span className="visually-hidden"> {user.email}</span>
                            </button>
                            {locked && (
                              <button
                                type="button"
                                className="button button-secondary button-small"
                                disabled={busyId === user.id}
                                onClick={() => void change(user, { unlock: true })}
                              >
                                Unlock<span className="visually-hidden"> {user.email}</span>
                              </button>
                            )}
                            {!user.disabled && !user.sso && (
                              <button
                                type="button"
                                className="button button-ghost button-small"
                                disabled={busyId === user.id}
                                onClick={() => void issueLink(user)}
                              >
                                {user.hasPassword ? 'Reset link' : 'New set-up link'}
                                <span className="visually-hidden"> for {user.email}</span>
                              </button>
                            )}
                            {user.id !== me.id && (
                              <button
                                type="button"
                                className="button button-ghost button-small"
                                disabled={busyId === user.id}
                                onClick={() => void change(user, { disabled: !user.disabled })}
                              >
                                {user.disabled ? 'Enable' : 'Disable'}
                                <span className="visually-hidden"> {user.email}</span>
                              </button>
                            )}
                          </div>
                        </td>
                      </tr>
                      {(open || problem) && (
                        <tr className="inline-form-row">
                          <td colSpan={6}>
                            {problem && <ProblemAlert problem={problem} lead="Nothing was changed." />}
                            {open?.kind === 'edit' && (
                              <EditUserForm
                                user={user}
                                onCancel={() => setPanel(null)}
                                onSaved={(saved) => {
                                  replace(saved);
                                  setPanel(null);
                                }}
                              />
                            )}
                            {open?.kind === 'link' && (
                              <OneTimeSecret
                                testId="reset-link"
                                label={
                                  open.purpose === 'setup'
                                    ? `New set-up link for ${user.name}`
                                    : `Reset link for ${user.name}`
                                }
                                value={open.link.url}
                                note={linkNote(user.name, open.link, open.purpose)}
                                onDone={() => setPanel(null)}
                              />
                            )}
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
