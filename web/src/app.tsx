import { useEffect, useRef, useState } from 'react';
import { api, type Health } from './api.ts';
import { areas, findArea } from './areas.ts';
import { AreaIcon } from './components/icons.tsx';
import { AreaPage } from './pages/area-page.tsx';
import { DataPage } from './pages/data-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { Link, Redirect, usePathname } from './router.tsx';
import { useCounts } from './use-counts.ts';

const databaseLabels: Record<Health['database'], string> = {
  pglite: 'PGlite (embedded)',
  postgres: 'PostgreSQL',
};

/** The shell: header, left navigation over the areas of the loop, and the current page. */
export function App() {
  const pathname = usePathname();
  const counts = useCounts();
  const area = findArea(pathname);
  const firstRender = useRef(true);

  useEffect(() => {
    document.title = area ? `${area.label} · Attain` : 'Attain';
    // After in-app navigation, move focus to the new page's title (not on first load).
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    document.getElementById('page-title')?.focus();
  }, [pathname, area]);

  if (pathname === '/' || pathname === '') return <Redirect to="/data" />;

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <AppHeader />
      <nav className="sidebar" aria-label="Areas">
        <ul>
          {areas.map((item) => {
            const current = item.id === area?.id;
            return (
              <li key={item.id}>
                <Link
                  to={item.path}
                  className={`nav-link${current ? ' is-current' : ''}`}
                  aria-current={current ? 'page' : undefined}
                >
                  <AreaIcon area={item.id} />
                  <span>{item.label}</span>
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      <main id="main" className="main">
        <div className="main-inner">
          {!area ? (
            <NotFoundPage pathname={pathname} />
          ) : area.id === 'data' ? (
            <DataPage area={area} counts={counts} />
          ) : (
            <AreaPage area={area} counts={counts} />
          )}
        </div>
      </main>
    </div>
  );
}

function AppHeader() {
  const [health, setHealth] = useState<Health | null>(null);
  const [offline, setOffline] = useState(false);

  useEffect(() => {
    api.health().then(setHealth, () => setOffline(true));
  }, []);

  return (
    <header className="topbar">
      <Link to="/data" className="brand" aria-label="Attain, home">
        <span className="brand-mark" aria-hidden="true">
          <svg viewBox="0 0 32 32" width="22" height="22">
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
      </Link>
      <div className="topbar-status" aria-live="polite">
        {health && (
          <>
            <span
              className="status-chip"
              data-testid="database-kind"
              title={`Database: ${databaseLabels[health.database] ?? health.database}`}
            >
              <span className="status-dot" aria-hidden="true" />
              <span className="visually-hidden">Database: </span>
              {databaseLabels[health.database] ?? health.database}
            </span>
            <span className="muted version">v{health.version}</span>
          </>
        )}
        {offline && (
          <span className="status-chip status-chip-offline">
            <span className="status-dot" aria-hidden="true" />
            Server unreachable
          </span>
        )}
      </div>
    </header>
  );
}
