import { useId, useState, type FormEvent } from 'react';
import { api, permissionLabels, toProblem, type ApiToken, type Permission, type Problem } from '../api.ts';
import { FormAlert } from '../components/form-alert.tsx';
import { OneTimeSecret } from '../components/one-time-secret.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { formatInstant } from '../format.ts';
import { useSession } from '../session.tsx';
import { useLoad } from '../use-load.ts';

function statusOf(token: ApiToken): { label: string; tone: string } {
  if (token.revokedAt) return { label: `Revoked ${formatInstant(token.revokedAt)}`, tone: 'neutral' };
  if (token.expiresAt && Date.parse(token.expiresAt) <= Date.now())
    return { label: 'Expired', tone: 'warning' };
  return { label: 'Active', tone: 'success' };
}

function CreateTokenForm({ onCreated }: { onCreated: (token: string, apiToken: ApiToken) => void }) {
  const { user } = useSession();
  const id = useId();
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<Set<Permission>>(new Set(user.permissions));
  const [days, setDays] = useState('90');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  const toggle = (permission: Permission) =>
    setChosen((current) => {
      const next = new Set(current);
      if (next.has(permission)) next.delete(permission);
      else next.add(permission);
      return next;
    });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    const trimmedDays = days.trim();
    const expiresInDays = trimmedDays === '' ? null : Number(trimmedDays);
    if (
      expiresInDays !== null &&
      (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > 3650)
    ) {
      setProblem({ title: 'Expiry must be a whole number of days from 1 to 3650, or empty for never.' });
      return;
    }
    setBusy(true);
    try {
      const created = await api.createToken({
        name: name.trim(),
        permissions: user.permissions.filter((p) => chosen.has(p)),
        expiresInDays,
      });
      onCreated(created.token, created.apiToken);
      setName('');
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form-stack" onSubmit={(event) => void submit(event)} aria-label="New API token">
      {problem && <FormAlert problem={problem} />}
      <div className="form-row">
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <span className="field-hint">What uses it, e.g. “Nightly CRM sync”.</span>
          <input
            id={`${id}-name`}
            className="input"
            value={name}
            maxLength={100}
            onChange={(event) => setName(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-days`}>Expires after (days)</label>
          <span className="field-hint">1 to 3650; leave empty for a token that does not expire.</span>
          <input
            id={`${id}-days`}
            className="input input-number"
            inputMode="numeric"
            value={days}
            onChange={(event) => setDays(event.target.value)}
          />
        </div>
      </div>
      <fieldset className="field options">
        <legend>Permissions</legend>
        <span className="field-hint">A token can do at most what you can; choose fewer to limit it.</span>
        <div className="checkbox-grid">
          {user.permissions.map((permission) => (
            <label key={permission} className="checkbox">
              <input type="checkbox" checked={chosen.has(permission)} onChange={() => toggle(permission)} />
              <span>
                {permissionLabels[permission]}
                <span className="cell-sub">
                  <code>{permission}</code>
                </span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <div>
        <button
          type="submit"
          className="button button-primary"
          disabled={busy || name.trim() === '' || chosen.size === 0}
        >
          {busy ? 'Creating…' : 'Create token'}
        </button>
      </div>
    </form>
  );
}

/** One's own API tokens: list, create (shown once), revoke. */
export function TokensPage() {
  const loaded = useLoad(() => api.tokens(), []);
  const [created, setCreated] = useState<{ token: string; name: string } | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);

  const revoke = async (token: ApiToken) => {
    setProblem(null);
    try {
      const revoked = await api.revokeToken(token.id);
      loaded.setData((current) => current?.map((t) => (t.id === revoked.id ? revoked : t)) ?? current);
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setConfirming(null);
    }
  };

  const tokens = loaded.data;
  return (
    <>
      <PageHeader
        title="API tokens"
        tagline="For scripts and integrations: send one as “Authorization: Bearer <token>”. It acts as you."
      />
      <section className="card" aria-labelledby="new-token-title">
        <div className="card-header">
          <div>
            <h2 id="new-token-title">New token</h2>
            <p className="card-description">The token is shown once, right after you create it.</p>
          </div>
        </div>
        {created ? (
          <OneTimeSecret
            testId="new-token"
            label={`Token “${created.name}”`}
            value={created.token}
            note="Copy it now and keep it in a secret store: Attain keeps only a hash, so this is the only time it is shown. If you lose it, revoke it and create another."
            onDone={() => setCreated(null)}
          />
        ) : (
          <CreateTokenForm
            onCreated={(token, apiToken) => {
              setCreated({ token, name: apiToken.name });
              loaded.setData((current) => [apiToken, ...(current ?? [])]);
            }}
          />
        )}
      </section>

      <section className="card" aria-labelledby="tokens-title">
        <div className="card-header">
          <div>
            <h2 id="tokens-title">Your tokens</h2>
            <p className="card-description">
              Revoke a token you no longer use; revoking takes effect at once.
            </p>
          </div>
        </div>
        {problem && <ProblemAlert problem={problem} lead="The token was not revoked." />}
        {loaded.problem && <ProblemAlert problem={loaded.problem} lead="Could not load your tokens." />}
        {!tokens ? (
          !loaded.problem && <p className="muted">Loading your tokens…</p>
        ) : tokens.length === 0 ? (
          <div className="empty-inline">
            No API tokens yet. Create one above when a script needs to call Attain.
          </div>
        ) : (
          <div className="table-wrap">
            <table className="table" aria-label="API tokens">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Permissions</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tokens.map((token) => {
                  const status = statusOf(token);
                  return (
                    <tr key={token.id}>
                      <th scope="row">
                        {token.name}
                        <span className="cell-sub nowrap">
                          <code>{token.prefix}…</code>
                        </span>
                      </th>
                      <td>
                        <ul className="tag-list">
                          {token.permissions.map((p) => (
                            <li key={p}>
                              <code>{p}</code>
                            </li>
                          ))}
                        </ul>
                      </td>
                      <td className="tabular nowrap">{formatInstant(token.createdAt)}</td>
                      <td className="tabular nowrap">
                        {token.lastUsedAt ? formatInstant(token.lastUsedAt) : 'Never'}
                      </td>
                      <td className="tabular nowrap">
                        {token.expiresAt ? formatInstant(token.expiresAt) : 'Never'}
                      </td>
                      <td>
                        <span className={`badge badge-${status.tone}`}>{status.label}</span>
                      </td>
                      <td className="cell-actions">
                        {!token.revokedAt &&
                          (confirming === token.id ? (
                            <span className="confirm-group">
                              <button
                                type="button"
                                className="button button-danger button-small"
                                onClick={() => void revoke(token)}
                                autoFocus
                              >
                                Revoke now
                              </button>
                              <button
                                type="button"
                                className="button button-ghost button-small"
                                onClick={() => setConfirming(null)}
                              >
                                Keep
                              </button>
                            </span>
                          ) : (
                            <button
                              type="button"
                              className="button button-secondary button-small"
                              onClick={() => setConfirming(token.id)}
                            >
                              Revoke<span className="visually-hidden"> {token.name}</span>
                            </button>
                          ))}
                      </td>
                    </tr>
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
