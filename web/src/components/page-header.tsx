import type { ReactNode } from 'react';

/** The page title receives focus after in-app navigation, so screen readers announce the new page. */
export function PageHeader({
  title,
  tagline,
  actions,
}: {
  title: string;
  tagline: string;
  actions?: ReactNode;
}) {
  return (
    <header className="page-header">
      <div>
        <h1 id="page-title" tabIndex={-1}>
          {title}
        </h1>
        <p className="page-tagline">{tagline}</p>
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}
