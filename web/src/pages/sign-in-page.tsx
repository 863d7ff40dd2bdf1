import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api, toProblem, type Problem, type Providers, type SignedIn } from '../api.ts';
import { AuthLayout } from '../components/auth-layout.tsx';
import { FormAlert } from '../components/form-alert.tsx';

/** Email and password (and single sign-on when configured). */
export function SignInPage({
  notice,
  onSignedIn,
}: {
  notice?: string;
  onSignedIn: (session: SignedIn) => void;
}) {
  const id = useId();
  const emailInput = useRef<HTMLInputElement>(null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [providers, setProviders] = useState<Providers | null>(null);

  useEffect(() => {
    document.title = 'Sign in · Attain';
    emailInput.current?.focus();
    api.providers().then(setProviders, () => setProviders(null));
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setProblem(null);
    try {
      onSignedIn(await api.signIn(email.trim(), password));
    } catch (error) {
      setProblem(toProblem(error));
      setPassword('');
      setBusy(false);
    }
  };

  const locked = problem?.status === 429 || problem?.code === 'rate_limited';
  return (
    <AuthLayout
      title="Sign in to Attain"
      lead="Sales performance: your numbers, your team’s, and how they are paid."
    >
      {notice && !problem && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {problem &&
        (locked ? (
          <FormAlert problem={problem} title="Signing in is paused" tone="warning" />
        ) : problem.status === 401 ? (
          <FormAlert problem={problem} title="Not signed in" />
        ) : (
          <FormAlert problem={problem} />
        ))}
      {(providers?.password ?? true) && (
        <form className="auth-form" onSubmit={(event) => void submit(event)} noValidate>
          <div className="field">
            <label htmlFor={`${id}-email`}>Email</label>
            <input
              ref={emailInput}
              id={`${id}-email`}
              className="input"
              type="email"
              name="email"
              autoComplete="username"
              required
              value={email}
              onChange={(event) => setEmail(event.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-password`}>Password</label>
            <input
              id={`${id}-password`}
              className="input"
              type="password"
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
          </div>
          <button
            type="submit"
            className="button button-primary button-block"
            disabled={busy || email.trim() === '' || password === ''}
          >
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      )}
      {providers?.oidc && (
        <>
          <div className="auth-divider" role="separator">
            <span>or</span>
          </div>
          {/* A full page navigation: the provider's page takes over, then returns to Attain. */}
          <a className="button button-secondary button-block" href="/api/auth/oidc/start">
            Sign in with single sign-on
          </a>
        </>
      )}
      <p className="auth-foot muted">
        No account, or forgot your password? Ask an administrator for a one-time set-up or reset link.
      </p>
    </AuthLayout>
  );
}
