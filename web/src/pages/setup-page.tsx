import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api, toProblem, type AccountLink, type Problem, type SignedIn } from '../api.ts';
import { AuthLayout } from '../components/auth-layout.tsx';
import { fieldProblems, FormAlert } from '../components/form-alert.tsx';

export const passwordRules =
  'At least 12 characters, not one character repeated, and not containing the name part of your email.';

function tokenFromHash(): string | null {
  // The token travels in the fragment, which browsers never send to a server or in a Referer.
  return new URLSearchParams(window.location.hash.replace(/^#/, '')).get('token');
}

/** `/setup#token=…`: who the one-time link is for, choose a password, and be signed in. */
export function SetupPage({ onSignedIn }: { onSignedIn: (session: SignedIn) => void }) {
  const id = useId();
  const [token] = useState(tokenFromHash);
  const [link, setLink] = useState<AccountLink | null>(null);
  const [linkProblem, setLinkProblem] = useState<Problem | null>(null);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<{ password?: string[]; confirm?: string }>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const passwordInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    document.title = 'Set your password · Attain';
    if (!token) return;
    api.describeLink(token).then(setLink, (error: unknown) => setLinkProblem(toProblem(error)));
  }, [token]);

  useEffect(() => {
    if (link) passwordInput.current?.focus();
  }, [link]);

  if (!token)
    return (
      <AuthLayout title="This link is incomplete">
        <p className="notice notice-warning" role="alert">
          The set-up link has no token. Copy the whole link from the message you received (it ends with
          “#token=” and a long code) and open it again.
        </p>
        <a className="button button-secondary button-block" href="/">
          Go to sign-in
        </a>
      </AuthLayout>
    );

  if (linkProblem)
    return (
      <AuthLayout title="This link cannot be used">
        <FormAlert problem={linkProblem} />
        <p className="muted">
          Set-up and reset links work once and expire. Ask an administrator for a new one, or sign in if you
          have already set your password.
        </p>
        <a className="button button-secondary button-block" href="/">
          Go to sign-in
        </a>
      </AuthLayout>
    );

  if (!link)
    return (
      <AuthLayout title="Checking your link…">
        <p className="muted" role="status">
          One moment.
        </p>
      </AuthLayout>
    );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: typeof errors = {};
    if (password.length < 12) found.password = ['must be at least 12 characters long'];
    if (confirm !== password) found.confirm = 'The two passwords are not the same.';
    setErrors(found);
    setProblem(null);
    if (found.password || found.confirm) return;
    setBusy(true);
    try {
      const session = await api.completeLink(token, password);
      onSignedIn(session);
    } catch (error) {
      const failed = toProblem(error);
      setProblem(failed);
      const onPassword = fieldProblems(failed, 'password');
      if (onPassword.length > 0) setErrors({ password: onPassword });
      setBusy(false);
    }
  };

  const passwordErrors = errors.password ?? [];
  return (
    <AuthLayout
      title={
        link.purpose === 'setup' ? `Welcome to Attain, ${link.name}` : `Choose a new password, ${link.name}`
      }
      lead={
        link.purpose === 'setup'
          ? 'Choose the password you will sign in with. This link works once.'
          : 'Your old password stops working once you save a new one, and your other sessions end.'
      }
    >
      {problem && passwordErrors.length === 0 && <FormAlert problem={problem} skipFields={['password']} />}
      <form className="auth-form" onSubmit={(event) => void submit(event)} noValidate>
        <div className="field">
          <label htmlFor={`${id}-email`}>Email</label>
          <input
            id={`${id}-email`}
            className="input"
            type="email"
            autoComplete="username"
            value={link.email}
            readOnly
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`}>New password</label>
          <span className="field-hint" id={`${id}-rules`}>
            {passwordRules}
          </span>
          <input
            ref={passwordInput}
            id={`${id}-password`}
            className="input"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            aria-invalid={passwordErrors.length > 0 || undefined}
            aria-describedby={`${id}-rules${passwordErrors.length > 0 ? ` ${id}-password-error` : ''}`}
          />
          {passwordErrors.length > 0 && (
            <span className="field-error" id={`${id}-password-error`} role="alert">
              The password {passwordErrors.join('; ')}.
            </span>
          )}
        </div>
        <div className="field">
          <label htmlFor={`${id}-confirm`}>Confirm the password</label>
          <input
            id={`${id}-confirm`}
            className="input"
            type="password"
            autoComplete="new-password"
            value={confirm}
            onChange={(event) => setConfirm(event.target.value)}
            aria-invalid={errors.confirm ? true : undefined}
            aria-describedby={errors.confirm ? `${id}-confirm-error` : undefined}
          />
          {errors.confirm && (
            <span className="field-error" id={`${id}-confirm-error`} role="alert">
              {errors.confirm}
            </span>
          )}
        </div>
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {busy ? 'Saving…' : link.purpose === 'setup' ? 'Set password and sign in' : 'Save and sign in'}
        </button>
      </form>
    </AuthLayout>
  );
}
