import { useId, useState, type FormEvent } from 'react';
import { api, toProblem, type Problem } from '../api.ts';
import { fieldProblems, FormAlert } from '../components/form-alert.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { useSession } from '../session.tsx';
import { passwordRules } from './setup-page.tsx';

/** Change one's own password; the server ends one's other sessions. */
export function PasswordPage() {
  const { user } = useSession();
  const id = useId();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [mismatch, setMismatch] = useState(false);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    setProblem(null);
    setMismatch(next !== confirm);
    if (next !== confirm) return;
    setBusy(true);
    try {
      await api.changePassword(current, next);
      setDone(true);
      setCurrent('');
      setNext('');
      setConfirm('');
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setBusy(false);
    }
  };

  const currentErrors = fieldProblems(problem, 'currentPassword');
  const newErrors = fieldProblems(problem, 'password').concat(fieldProblems(problem, 'newPassword'));
  return (
    <>
      <PageHeader title="Change password" tagline={`For ${user.email}.`} />
      <section className="card narrow-card">
        <p role="status" className={done ? 'notice notice-success' : 'visually-hidden'}>
          {done ? 'Your password is changed. Your other sessions were signed out.' : ''}
        </p>
        {problem && currentErrors.length === 0 && newErrors.length === 0 && <FormAlert problem={problem} />}
        <form className="form-stack" onSubmit={(event) => void submit(event)} noValidate>
          <input type="email" autoComplete="username" value={user.email} readOnly hidden />
          <div className="field">
            <label htmlFor={`${id}-current`}>Current password</label>
            <input
              id={`${id}-current`}
              className="input"
              type="password"
              autoComplete="current-password"
              value={current}
              onChange={(event) => setCurrent(event.target.value)}
              aria-invalid={currentErrors.length > 0 || undefined}
            />
            {currentErrors.length > 0 && (
              <span className="field-error">The current password {currentErrors.join('; ')}.</span>
            )}
          </div>
          <div className="field">
            <label htmlFor={`${id}-new`}>New password</label>
            <span className="field-hint">{passwordRules}</span>
            <input
              id={`${id}-new`}
              className="input"
              type="password"
              autoComplete="new-password"
              value={next}
              onChange={(event) => setNext(event.target.value)}
              aria-invalid={newErrors.length > 0 || undefined}
            />
            {newErrors.length > 0 && (
              <span className="field-error">The new password {newErrors.join('; ')}.</span>
            )}
          </div>
          <div className="field">
            <label htmlFor={`${id}-confirm`}>Confirm the new password</label>
            <input
              id={`${id}-confirm`}
              className="input"
              type="password"
              autoComplete="new-password"
              value={confirm}
              onChange={(event) => setConfirm(event.target.value)}
              aria-invalid={mismatch || undefined}
            />
            {mismatch && <span className="field-error">The two new passwords are not the same.</span>}
          </div>
          <div>
            <button
              type="submit"
              className="button button-primary"
              disabled={busy || current === '' || next === '' || confirm === ''}
            >
              {busy ? 'Saving…' : 'Change password'}
            </button>
          </div>
        </form>
      </section>
    </>
  );
}
