import type { ReactNode } from 'react';
import type { Permission } from '../api.ts';
import { NoAccess } from '../components/no-access.tsx';
import { Redirect } from '../router.tsx';
import type { Session } from '../session.tsx';
import { RewardAdjustmentsPage } from './reward-adjustments-page.tsx';
import { RewardComparePage } from './reward-compare-page.tsx';
import { RewardDisputePage } from './reward-dispute-page.tsx';
import { RewardDisputesPage } from './reward-disputes-page.tsx';
import { RewardMyPayPage } from './reward-my-pay-page.tsx';
import { RewardPlanPage } from './reward-plan-page.tsx';
import { RewardPlansPage } from './reward-plans-page.tsx';
import { RewardRunPage } from './reward-run-page.tsx';
import { RewardRunsPage } from './reward-runs-page.tsx';
import { RewardStatementPage } from './reward-statement-page.tsx';
import { RewardStatementsPage } from './reward-statements-page.tsx';

type Resolved = { title: string; page: ReactNode };

/** The Reward area's pages by path (`/reward/...`); null for a path that is not one of them. */
export function resolveRewardPage(clean: string, session: Session): Resolved | null {
  const { can, user } = session;
  const noAccess = (title: string, permission: Permission): Resolved => ({
    title,
    page: (
      <NoAccess
        title={title}
        reason={`Your role does not include ${permission}. If you need this page, ask an administrator to change your role.`}
      />
    ),
  });
  const needs = (permission: Permission, title: string, page: () => ReactNode): Resolved =>
    can(permission) ? { title, page: page() } : noAccess(title, permission);

  if (clean === '/reward') {
    const home = can('pay:manage')
      ? '/reward/runs'
      : can('pay:read') && user.personId !== null
        ? '/reward/my-pay'
        : can('pay:read')
          ? '/reward/statements'
          : null;
    if (!home) return noAccess('Reward', 'pay:read');
    return { title: 'Reward', page: <Redirect to={home} /> };
  }
  if (clean === '/reward/my-pay') return needs('pay:read', 'My pay', () => <RewardMyPayPage />);
  if (clean === '/reward/statements') return needs('pay:read', 'Statements', () => <RewardStatementsPage />);
  const statement = /^\/reward\/statements\/([^/]+)\/([^/]+)$/.exec(clean);
  if (statement)
    return needs('pay:read', 'Statement', () => (
      <RewardStatementPage
        key={clean}
        payee={decodeURIComponent(statement[1]!)}
        period={decodeURIComponent(statement[2]!)}
      />
    ));
  if (clean === '/reward/disputes')
    return needs('pay:read', can('pay:manage') ? 'Disputes inbox' : 'My disputes', () => (
      <RewardDisputesPage />
    ));
  const dispute = /^\/reward\/disputes\/([^/]+)$/.exec(clean);
  if (dispute)
    return needs('pay:read', 'Dispute', () => (
      <RewardDisputePage key={clean} id={decodeURIComponent(dispute[1]!)} />
    ));
  if (clean === '/reward/plans') return needs('pay:manage', 'Plans', () => <RewardPlansPage />);
  const plan = /^\/reward\/plans\/([^/]+)$/.exec(clean);
  if (plan)
    return needs('pay:manage', 'Plan', () => (
      <RewardPlanPage key={clean} id={decodeURIComponent(plan[1]!)} />
    ));
  if (clean === '/reward/adjustments')
    return needs('pay:read', 'Adjustments', () => <RewardAdjustmentsPage />);
  if (clean === '/reward/runs') return needs('pay:manage', 'Runs and periods', () => <RewardRunsPage />);
  if (clean === '/reward/runs/compare')
    return needs('pay:manage', 'Compare runs', () => <RewardComparePage />);
  const run = /^\/reward\/runs\/([^/]+)$/.exec(clean);
  if (run)
    return needs('pay:manage', 'Run', () => <RewardRunPage key={clean} id={decodeURIComponent(run[1]!)} />);
  return null;
}
