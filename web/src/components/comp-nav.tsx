import { Link, usePathname } from '../router.tsx';
import { useSession } from '../session.tsx';

type Tab = { path: string; label: string; show: boolean };

/** The Reward area's own navigation: what the signed-in role may open there. */
export function CompNav() {
  const { user, can } = useSession();
  const pathname = usePathname();
  const manage = can('pay:manage');
  const tabs: Tab[] = [
    { path: '/reward/my-pay', label: 'My pay', show: can('pay:read') && user.personId !== null },
    {
      path: '/reward/statements',
      label: 'Statements',
      show: can('pay:read') && (manage || user.role !== 'sales_rep'),
    },
    { path: '/reward/disputes', label: manage ? 'Disputes inbox' : 'My disputes', show: can('pay:read') },
    { path: '/reward/runs', label: 'Runs and periods', show: manage },
    // Listing adjustments needs pay:read and lists those in scope (finance: all); adding needs pay:manage.
    {
      path: '/reward/adjustments',
      label: 'Adjustments',
      show: can('pay:read') && (manage || user.role !== 'sales_rep'),
    },
    { path: '/reward/plans', label: 'Plans', show: manage },
  ];
  return (
    <nav className="comp-nav" aria-label="Reward">
      <ul>
        {tabs
          .filter((tab) => tab.show)
          .map((tab) => {
            const current = pathname === tab.path || pathname.startsWith(`${tab.path}/`);
            return (
              <li key={tab.path}>
                <Link
                  to={tab.path}
                  className={`comp-tab${current ? ' is-current' : ''}`}
                  aria-current={current ? 'page' : undefined}
                >
                  {tab.label}
                </Link>
              </li>
            );
          })}
      </ul>
    </nav>
  );
}
