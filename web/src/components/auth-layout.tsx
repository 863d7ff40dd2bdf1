import type { ReactNode } from 'react';

/** The frame of the pages shown before signing in: the brand and one centred card. */
export function AuthLayout({
  title,
  lead,
  children,
}: {
  title: string;
  lead?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="auth-layout">
      <main className="auth-card" id="main">
        <div className="auth-brand">
          <span className="brand-mark" aria-hidden="true">
            <svg viewBox="0 0 32 32" width="28" height="28">
              <rect width="32" height="32" rx="8" fill="currentColor" />
              <path
                d="M9 23 16 8l7 15M11.8 17.5h8.4"
                stroke="white"
                strokeWidth="3"
                fill="none"
                strokeLinecap="round"
                strokeLinejoin="round"
              />
            </svg>
          </span>
          <span className="brand-name">Attain</span>
        </div>
        <h1 id="page-title" tabIndex={-1}>
          {title}
        </h1>
        {lead && <p className="auth-lead">{lead}</p>}
        {children}
      </main>
    </div>
  );
}
