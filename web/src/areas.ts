import type { EntityName, Permission } from './api.ts';

export type AreaId = 'measure' | 'reward' | 'forecast' | 'plan' | 'improve' | 'data';

export type Area = {
  id: AreaId;
  path: `/${AreaId}`;
  label: string;
  /** One line under the page title. */
  tagline: string;
  /** What the area will show once built, in the words of the people who use it (DESIGN.md §1). */
  features: string[];
  /** The imported records the area computes from. */
  uses: EntityName[];
  /** The permission needed to see the area in the navigation and open it. */
  requires?: Permission;
};

/** The closed loop of DESIGN.md §1, in the order a sales-ops analyst meets it. */
export const areas: Area[] = [
  {
    id: 'measure',
    path: '/measure',
    label: 'Measure',
    tagline: 'KPIs and leading indicators for every rep, team and region.',
    features: [
      'Bookings, win rate, average deal size and sales cycle against quota',
      'Pipeline coverage and stage conversion, as of any past day',
      'Activity mix per rep and how it relates to outcomes',
      'Concentration: how much revenue depends on a few reps',
    ],
    uses: ['opportunities', 'opportunity_changes', 'activities', 'people', 'quotas'],
  },
  {
    id: 'reward',
    path: '/reward',
    label: 'Reward',
    tagline: 'Incentive compensation that explains every line it pays.',
    features: [
      'Versioned plans with tiers, accelerators, SPIFFs and test cases',
      'Credits, attainment and earnings per period, with a locked close',
      'Statements where each line names its deal, rule, rate and arithmetic',
      'Accruals, payouts and the payroll file for finance',
    ],
    uses: ['people', 'quotas', 'opportunities', 'invoices', 'payments'],
  },
  {
    id: 'forecast',
    path: '/forecast',
    label: 'Forecast',
    tagline: 'Submissions, roll-up and ranges you can trust.',
    features: [
      'Commit, best case and pipeline per rep, rolled up by manager',
      'Ranges from the history of the pipeline, not only from opinions',
      'Accuracy of past forecasts per person and per period',
    ],
    uses: ['opportunities', 'opportunity_changes', 'people', 'quotas'],
  },
  {
    id: 'plan',
    path: '/plan',
    label: 'Plan',
    tagline: 'Quotas, territories and capacity for the next period.',
    features: [
      'Quota setting per position and period, with method and history',
      'Territories: rules and explicit account assignments, effective-dated',
      'Capacity and what-if scenarios before the period starts',
    ],
    uses: ['people', 'accounts', 'quotas', 'opportunities', 'subscriptions'],
  },
  {
    id: 'improve',
    path: '/improve',
    label: 'Improve',
    tagline: 'Skills, coaching and whether it moved the numbers.',
    features: [
      'Competency assessments against the 21-skill model',
      'Skill gaps linked to the behaviours and outcomes they explain',
      'Coaching plans and validation that skill, behaviour and result improved',
    ],
    uses: ['people', 'activities', 'opportunities'],
  },
  {
    id: 'data',
    path: '/data',
    label: 'Data',
    tagline: 'Bring CRM exports into Attain and see what is stored.',
    features: [],
    uses: [],
    requires: 'data:import',
  },
];

/** A path without its trailing slashes ('/' stays '/'). */
export function cleanPath(pathname: string): string {
  return pathname.replace(/\/+$/, '') || '/';
}

/** The area a path belongs to: `/measure/people/7` is in Measure. */
export function findArea(pathname: string): Area | undefined {
  const clean = cleanPath(pathname);
  return areas.find((area) => area.path === clean || clean.startsWith(`${area.path}/`));
}
