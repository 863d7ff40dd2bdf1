import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import {
  api,
  onUnauthenticated,
  setCsrfToken,
  toProblem,
  type Health,
  type Me,
  type Permission,
  type Problem,
  type SignedIn,
} from './api.ts';
import { areas, cleanPath, findArea, type Area } from './areas.ts';
import { AuthLayout } from './components/auth-layout.tsx';
import { AreaIcon, AuditIcon, UsersIcon } from './components/icons.tsx';
import { NoAccess } from './components/no-access.tsx';
import { ProblemAlert } from './components/problem-alert.tsx';
import { UserMenu } from './components/user-menu.tsx';
import { AreaPage } from './pages/area-page.tsx';
import { AuditPage } from './pages/audit-page.tsx';
import { DataPage } from './pages/data-page.tsx';
import { DealsPage } from './pages/deals-page.tsx';
import { MeasurePage } from './pages/measure-page.tsx';
import { ForecastPage } from './pages/forecast-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { PasswordPage } from './pages/password-page.tsx';
import { resolveRewardPage } from './pages/reward-routes.tsx';
import { SetupPage } from './pages/setup-page.tsx';
import { SignInPage } from './pages/sign-in-page.tsx';
import { TokensPage } from './pages/tokens-page.tsx';
import { UsersPage } from './pages/users-page.tsx';
import { Link, navigate, Redirect, usePathname } from './router.tsx';
import { SessionContext, type Session } from './session.tsx';
import { preloadCharts } from './components/echart.tsx';
import { useCounts } from './use-counts.ts';

// The dashboards are their own chunk, loaded on first visit, so the rest of the UI stays light; a
// page opened on them fetches it at once, while the session is still being checked.
const dashboardChunk = () => import('./pages/dashboard-page.tsx');
if (window.location.pathname.startsWith('/measure/dashboard')) {
  void dashboardChunk();
  preloadCharts();
}
const DashboardPage = lazy(() => dashboardChunk().then((module) => ({ default: module.DashboardPage })));

const databaseLabels: Record<Health['database'], string> = {
  pglite: 'PGlite (embedded)',
  postgres: 'PostgreSQL',
};

type AuthState =
  | { state: 'loading' }
  | { state: 'failed'; problem: Problem }
  | { state: 'signed-out'; notice?: string }
  | { state: 'signed-in'; user: Me };

/**
 * Boot: who is signed in (GET /api/auth/me). `/setup` (a one-time link) opens without a session;
 * everything else needs one, and any 401 from the API brings the sign-in page back.
 */
export function App() {
  const pathname = usePathname();
  const [auth, setAuth] = useState<AuthState>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    api.me().then(
      (me) => {
        if (cancelled) return;
        if (!me) return setAuth({ state: 'signed-out' });
        setCsrfToken(me.csrfToken);
        setAuth({ state: 'signed-in', user: me.user });
      },
      (error: unknown) => {
        if (!cancelled) setAuth({ state: 'failed', problem: toProblem(error) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  useEffect(
    () =>
      onUnauthenticated(() =>
        setAuth((current) =>
          current.state === 'signed-in'
            ? { state: 'signed-out', notice: 'Your session has ended. Sign in again to continue.' }
            : current,
        ),
      ),
    [],
  );

  const signedIn = useCallback((session: SignedIn) => {
    setCsrfToken(session.csrfToken);
    setAuth({ state: 'signed-in', user: session.user });
    const path = window.location.pathname;
    if (path === '/' || path === '/setup') navigate('/measure', { replace: true });
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api.signOut();
    } catch {
      // Signed out locally either way; the session ends on the server at the latest when it expires.
    }
    setCsrfToken(null);
    setAuth({ state: 'signed-out', notice: 'You are signed out.' });
    navigate('/', { replace: true });
  }, []);

  const session = useMemo<Session | null>(
    () =>
      auth.state === 'signed-in'
        ? {
            user: auth.user,
            can: (permission: Permission) => auth.user.permissions.includes(permission),
            signOut,
          }
        : null,
    [auth, signOut],
  );

  if (pathname === '/setup') return <SetupPage onSignedIn={signedIn} />;
  if (auth.state === 'loading')
    return (
      <div className="boot" aria-busy="true">
        <p className="muted">Loading Attain…</p>
      </div>
    );
  if (auth.state === 'failed')
    return (
      <AuthLayout title="Attain is not reachable">
        <ProblemAlert problem={auth.problem} />
        <button
          type="button"
          className="button button-primary button-block"
          onClick={() => setAttempt((n) => n + 1)}
        >
          Try again
        </button>
      </AuthLayout>
    );
  if (auth.state === 'signed-out' || !session)
    return (
      <SignInPage notice={auth.state === 'signed-out' ? auth.notice : undefined} onSignedIn={signedIn} />
    );

  return (
    <SessionContext.Provider value={session}>
      <Shell session={session} />
    </SessionContext.Provider>
  );
}

type NavItem = { path: string; label: string; icon: ReactNode; matches: (pathname: string) => boolean };

function adminItems(can: (p: Permission) => boolean): NavItem[] {
  const items: NavItem[] = [];
  if (can('users:manage'))
    items.push({
      path: '/admin/users',
      label: 'Users',
      icon: <UsersIcon />,
      matches: (p) => p === '/admin/users',
    });
  if (can('audit:read'))
    items.push({
      path: '/admin/audit',
      label: 'Audit trail',
      icon: <AuditIcon />,
      matches: (p) => p === '/admin/audit',
    });
  return items;
}

/** The page for a path, and its title; a page the role does not open says so. */
function resolvePage(
  pathname: string,
  session: Session,
  area: Area | undefined,
  counts: ReturnType<typeof useCounts>,
) {
  const { can } = session;
  const clean = cleanPath(pathname);
  const person = /^\/measure\/people\/(\d+)$/.exec(clean);
  const noAccess = (title: string, permission: Permission) => ({
    title,
    page: (
      <NoAccess
        title={title}
        reason={`Your role does not include ${permission}. If you need this page, ask an administrator to change your role.`}
      />
    ),
  });

  if (clean === '/measure')
    return { title: session.user.personId === null ? 'Measure' : 'My scorecard', page: <MeasurePage /> };
  if (person)
    return { title: 'Scorecard', page: <MeasurePage key={person[1]} personId={Number(person[1])} /> };
  if (clean === '/measure/deals') return { title: 'Deals', page: <DealsPage /> };
  if (clean === '/measure/dashboard')
    return {
      title: 'Dashboards',
      page: (
        <Suspense fallback={<p className="muted">Loading the dashboards…</p>}>
          <DashboardPage />
        </Suspense>
      ),
    };
  if (clean === '/admin/users')
    return can('users:manage') ? { title: 'Users', page: <UsersPage /> } : noAccess('Users', 'users:manage');
  if (clean === '/admin/audit')
    return can('audit:read')
      ? { title: 'Audit trail', page: <AuditPage /> }
      : noAccess('Audit trail', 'audit:read');
  if (clean === '/reward' || clean.startsWith('/reward/')) {
    const reward = resolveRewardPage(clean, session);
    if (reward) return reward;
  }
  if (clean === '/forecast') return { title: 'Forecast', page: <ForecastPage /> };
  if (clean === '/account/tokens') return { title: 'API tokens', page: <TokensPage /> };
  if (clean === '/account/password') return { title: 'Change password', page: <PasswordPage /> };
  if (area && clean === area.path) {
    if (area.requires && !can(area.requires)) return noAccess(area.label, area.requires);
    if (area.id === 'data') return { title: area.label, page: <DataPage area={area} counts={counts} /> };
    return {
      title: area.label,
      page: <AreaPage area={area} counts={counts} canImport={can('data:import')} />,
    };
  }
  return { title: 'Page not found', page: <NotFoundPage pathname={pathname} /> };
}

/** The signed-in shell: header, the navigation the role allows, and the current page. */
function Shell({ session }: { session: Session }) {
  const pathname = usePathname();
  const { can } = session;
  const area = findArea(pathname);
  // Only the Data page and the areas' empty states show counts: at millions of rows they take the
  // database a second or more, which no other page should wait behind.
  const countsShown = area !== undefined && cleanPath(pathname) === area.path;
  const counts = useCounts(can('data:import') && countsShown);
  const firstRender = useRef(true);
  const visibleAreas = areas.filter((a) => !a.requires || can(a.requires));
  const admin = adminItems(can);
  const resolved = resolvePage(pathname, session, area, counts);

  useEffect(() => {
    document.title = `${resolved.title} · Attain`;
  }, [resolved.title]);

  useEffect(() => {
    // After in-app navigation, move focus to the new page's title (not on first load).
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    document.getElementById('page-title')?.focus();
  }, [pathname]);

  if (pathname === '/' || pathname === '') return <Redirect to="/measure" />;
  if (pathname === '/admin' || pathname === '/admin/')
    return <Redirect to={admin[0]?.path ?? '/admin/users'} />;

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <AppHeader />
      <nav className="sidebar" aria-label="Areas">
        <div className="sidebar-inner">
          <ul>
            {visibleAreas.map((item) => {
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
          {admin.length > 0 && (
            <>
              <p className="nav-heading" id="nav-admin-heading">
                Admin
              </p>
              <ul aria-labelledby="nav-admin-heading">
                {admin.map((item) => {
                  const current = item.matches(pathname);
                  return (
                    <li key={item.path}>
                      <Link
                        to={item.path}
                        className={`nav-link${current ? ' is-current' : ''}`}
                        aria-current={current ? 'page' : undefined}
                      >
                        {item.icon}
                        <span>{item.label}</span>
                      </Link>
                    </li>
                  );
                })}
              </ul>
            </>
          )}
        </div>
      </nav>
      <main id="main" className="main">
        <div className="main-inner">{resolved.page}</div>
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
      <Link to="/measure" className="brand" aria-label="Attain, home">
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
      <div className="topbar-right">
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
        <UserMenu />
      </div>
    </header>
  );
}
