/**
 * The state one run of the generator shares between its parts: settings, the held rep and account
 * tables, one random stream per purpose and the key counters. Separate streams keep the parts
 * independent: skipping activities (or leads, or invoices) leaves every other record unchanged, so
 * a filtered run is exactly the full run filtered.
 */
import type { RecordKind } from '../records.ts';
import type { OrganisationPlan } from './plan-organisation.ts';
import { createRandom, type SeededRandom } from './random.ts';

export type GenerationSettings = {
  seed: number;
  repCount: number;
  startDay: number;
  months: number;
  /** Day number of the demo's "today": events on or after it have not happened yet. */
  asOfDay: number;
  opportunitiesPerRepPerMonth: number;
  activitiesPerOpportunity: number;
  maxOpportunities: number;
  kinds: ReadonlySet<RecordKind>;
};

export type GenerationContext = {
  settings: GenerationSettings;
  plan: OrganisationPlan;
  accountNames: string[];
  /** Relative buying power of each account (1 = a typical account of its segment). */
  accountSize: Float32Array;
  random: {
    opportunities: SeededRandom;
    activities: SeededRandom;
    leads: SeededRandom;
    subscriptions: SeededRandom;
    invoices: SeededRandom;
  };
  counters: {
    opportunities: number;
    activities: number;
    leads: number;
    subscriptions: number;
    invoices: number;
    payments: number;
  };
  wants: (kind: RecordKind) => boolean;
};

/** Fresh context for one pass over the stream. */
export function createGenerationContext(
  settings: GenerationSettings,
  plan: OrganisationPlan,
): GenerationContext {
  return {
    settings,
    plan,
    accountNames: [],
    accountSize: new Float32Array(plan.accountCount),
    random: {
      opportunities: createRandom(settings.seed, 'opportunities'),
      activities: createRandom(settings.seed, 'activities'),
      leads: createRandom(settings.seed, 'leads'),
      subscriptions: createRandom(settings.seed, 'subscriptions'),
      invoices: createRandom(settings.seed, 'invoices'),
    },
    counters: { opportunities: 0, activities: 0, leads: 0, subscriptions: 0, invoices: 0, payments: 0 },
    wants: (kind) => settings.kinds.has(kind),
  };
}

/** A stable key such as `opp-000001234`: zero-padded so keys sort in creation order up to the padded width. */
export function formatKey(prefix: string, number: number, width: number): string {
  return `${prefix}-${String(number).padStart(width, '0')}`;
}
