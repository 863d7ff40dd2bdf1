/**
 * The demo and benchmark organisation: a lazy, deterministic stream of canonical records.
 *
 * Order (every reference points to a record emitted earlier in the full stream):
 *   people (executive, directors, managers, reps, SDRs) → accounts → products →
 *   month by month, rep by rep: each opportunity followed by its activities, its leads and, once
 *   won, its subscriptions, renewal opportunities, invoices and payments; the rep's prospecting
 *   activities → spend by month and channel → quotas by quarter (reps, then their managers).
 *
 * Memory: people and accounts are held (about 20 accounts a rep); opportunities and everything
 * hanging off them are produced one at a time and never kept.
 *
 * Time: `asOf` is the demo's "today". Everything dated before it has happened (closed deals, history
 * entries, activities, invoices, payments); nothing is created on or after it; deals still open
 * carry close dates from it on. A person's `leftOn` is their first day no longer employed: from it
 * on they create nothing and their open deals belong to their manager.
 *
 * Scale: the defaults (3 new opportunities a rep a month, about 5 activities an opportunity) give
 * `reps: 50, months: 24` roughly 3,300 opportunities and 16,000 activities. The rate is for a fully
 * ramped, average rep in an average month; ramping, leavers and renewals make the total about
 * 0.87 × rate × reps × months. For the benchmark set of 10,000 reps, 10M opportunities and 50M
 * activities use `reps: 10_000, months: 24, opportunitiesPerRepPerMonth: 49,
 * maxOpportunities: 10_000_000` (the cap makes the count exact), keeping `activitiesPerOpportunity: 5`;
 * bench/generate-data.ts works the rate out itself from `--opportunities`.
 */
import { AppError, type Problem } from '../errors.ts';
import { recordKinds, type CanonicalRecord, type QuotaRecord, type RecordKind } from '../records.ts';
import {
  addMonths,
  civilFromDay,
  daysInMonth,
  formatIsoDay,
  parseIsoDay,
  startOfQuarter,
} from './day-numbers.ts';
import { makeCompanyName } from './demo-names.ts';
import {
  createdSeasonality,
  demoCurrency,
  industries,
  productCatalogue,
  quotaStretch,
  segmentProfiles,
  spendChannels,
  type SegmentProfile,
} from './demo-parameters.ts';
import { generateOpportunityActivities, generateProspectingActivities } from './generate-activities.ts';
import { generateCustomerLife } from './generate-customer-life.ts';
import { generateLeads } from './generate-leads.ts';
import {
  createGenerationContext,
  formatKey,
  type GenerationContext,
  type GenerationSettings,
} from './generation-context.ts';
import { planOrganisation, rampAt, type RepProfile } from './plan-organisation.ts';
import { createRandom, type SeededRandom } from './random.ts';
import { simulateOpportunity } from './simulate-opportunity.ts';

export type GenerateOrganisationOptions = {
  seed: number;
  reps: number;
  /** First day of the generated history, 'YYYY-MM-DD' (the first of a month reads best). */
  startOn: string;
  /** Length of the generated window in months. */
  months: number;
  /** The demo's "today": closed history before it, open pipeline after it. Defaults to the window's end (startOn + months). */
  asOf?: string;
  /** New opportunities a fully ramped, average rep creates in an average month. Default 3. */
  opportunitiesPerRepPerMonth?: number;
  /** Mean activities per opportunity, prospecting included. Default 5. */
  activitiesPerOpportunity?: number;
  /** Stops creating opportunities (new and renewal) once this many exist; spend and quotas still follow. */
  maxOpportunities?: number;
  /** Only these kinds are emitted; the others are skipped or not generated at all. The records emitted are exactly those of the full stream. */
  kinds?: readonly RecordKind[];
};

export const defaultOpportunitiesPerRepPerMonth = 3;
export const defaultActivitiesPerOpportunity = 5;

const dealKinds: readonly RecordKind[] = [
  'opportunity',
  'activity',
  'lead',
  'subscription',
  'invoice',
  'payment',
];
const meanSeasonality = createdSeasonality.reduce((a, b) => a + b, 0) / createdSeasonality.length;

function resolveSettings(options: GenerateOrganisationOptions): GenerationSettings {
  const problems: Problem[] = [];
  const requireNumber = (
    field: string,
    value: number | undefined,
    valid: (value: number) => boolean,
    rule: string,
    optional = true,
  ): void => {
    if (value === undefined && optional) return;
    if (!(typeof value === 'number' && valid(value)))
      problems.push({ field, value: String(value), message: `${field} must be ${rule}` });
  };
  requireNumber('seed', options.seed, Number.isSafeInteger, 'a safe integer', false);
  requireNumber(
    'reps',
    options.reps,
    (value) => Number.isInteger(value) && value >= 1 && value <= 1_000_000,
    'an integer from 1 to 1,000,000',
    false,
  );
  requireNumber(
    'months',
    options.months,
    (value) => Number.isInteger(value) && value >= 1 && value <= 600,
    'an integer from 1 to 600',
    false,
  );
  requireNumber(
    'opportunitiesPerRepPerMonth',
    options.opportunitiesPerRepPerMonth,
    (value) => Number.isFinite(value) && value >= 0 && value <= 10_000,
    'a number from 0 to 10,000',
  );
  requireNumber(
    'activitiesPerOpportunity',
    options.activitiesPerOpportunity,
    (value) => Number.isFinite(value) && value >= 0 && value <= 1_000,
    'a number from 0 to 1,000',
  );
  requireNumber(
    'maxOpportunities',
    options.maxOpportunities,
    (value) => Number.isSafeInteger(value) && value >= 0,
    'a non-negative integer',
  );
  const parseDay = (field: string, text: string | undefined): number | null => {
    if (text === undefined) return null;
    try {
      return parseIsoDay(text);
    } catch {
      problems.push({ field, value: String(text), message: `${field} must be a date written YYYY-MM-DD` });
      return null;
    }
  };
  const startDay = parseDay('startOn', options.startOn);
  const asOfGiven = parseDay('asOf', options.asOf);
  for (const kind of options.kinds ?? []) {
    if (!(recordKinds as readonly string[]).includes(kind))
      problems.push({
        field: 'kinds',
        value: String(kind),
        message: `unknown record kind; expected one of ${recordKinds.join(', ')}`,
      });
  }
  if (options.startOn === undefined) problems.push({ field: 'startOn', message: 'startOn is required' });
  if (problems.length === 0 && startDay !== null) {
    const endDay = addMonths(startDay, options.months);
    const asOfDay = asOfGiven ?? endDay;
    if (asOfDay <= startDay || asOfDay > endDay) {
      problems.push({
        field: 'asOf',
        value: options.asOf,
        message: `asOf must fall after startOn and no later than the window's end (${formatIsoDay(endDay)})`,
      });
    } else {
      return {
        seed: options.seed,
        repCount: options.reps,
        startDay,
        months: options.months,
        asOfDay,
        opportunitiesPerRepPerMonth:
          options.opportunitiesPerRepPerMonth ?? defaultOpportunitiesPerRepPerMonth,
        activitiesPerOpportunity: options.activitiesPerOpportunity ?? defaultActivitiesPerOpportunity,
        maxOpportunities: options.maxOpportunities ?? Number.POSITIVE_INFINITY,
        kinds: new Set(options.kinds ?? recordKinds),
      };
    }
  }
  throw new AppError('validation', 'The demo organisation options are not valid.', problems);
}

/** Generates a whole demo organisation as a lazy, deterministic record stream (same options, same bytes). */
export function generateOrganisation(options: GenerateOrganisationOptions): Iterable<CanonicalRecord> {
  const settings = resolveSettings(options);
  return { [Symbol.iterator]: () => streamOrganisation(settings) };
}

function* streamOrganisation(settings: GenerationSettings): Generator<CanonicalRecord> {
  const plan = planOrganisation(settings.seed, settings.repCount, settings.startDay, settings.asOfDay);
  const context = createGenerationContext(settings, plan);
  if (context.wants('person')) {
    for (const person of plan.people) yield { kind: 'person', record: person };
  }
  yield* generateAccounts(context);
  if (context.wants('product')) {
    for (const product of productCatalogue) {
      yield {
        kind: 'product',
        record: {
          key: product.key,
          name: product.name,
          family: product.family,
          listPriceMinor: product.listPriceMinor,
          costMinor: product.costMinor,
          currency: demoCurrency,
        },
      };
    }
  }
  if (dealKinds.some((kind) => context.wants(kind))) yield* generateDeals(context);
  if (context.wants('spend')) yield* generateSpend(context);
  if (context.wants('quota')) yield* generateQuotas(context);
}

function* generateAccounts(context: GenerationContext): Generator<CanonicalRecord> {
  const random = createRandom(context.settings.seed, 'accounts');
  const wanted = context.wants('account');
  const asOfYear = civilFromDay(context.settings.asOfDay).year;
  for (const rep of context.plan.reps) {
    const segment = rep.segment;
    const geometricMean = Math.sqrt(segment.employeesMin * segment.employeesMax);
    for (let offset = 0; offset < rep.accountCount; offset += 1) {
      const index = rep.accountStart + offset;
      const industry = random.pick(industries);
      const name = makeCompanyName(random, industry);
      const employees = Math.round(
        segment.employeesMin * (segment.employeesMax / segment.employeesMin) ** random.next(),
      );
      // Revenue per employee varies by business model far more than headcount does.
      const annualRevenueMinor =
        Math.round((employees * random.logNormal(Math.log(220_000), 0.5)) / 1_000) * 100_000;
      const country = random.pick(rep.region.countries);
      const youngest = segment.segment === 'SMB' ? asOfYear - 2 : asOfYear - 8;
      const yearEstablished = random.int(segment.segment === 'Enterprise' ? 1900 : 1960, youngest);
      const parentName =
        segment.segment === 'Enterprise' && random.chance(0.15)
          ? `${name.split(' ')[0] ?? name} Holdings`
          : null;
      context.accountNames.push(name);
      // Bigger accounts buy bigger deals, less than proportionally (seats grow, per-seat price falls).
      context.accountSize[index] = (employees / geometricMean) ** 0.3;
      if (wanted) {
        yield {
          kind: 'account',
          record: {
            key: formatKey('acct', index + 1, 7),
            name,
            segment: segment.segment,
            industry,
            region: rep.region.name,
            country,
            employees,
            annualRevenueMinor,
            currency: demoCurrency,
            yearEstablished,
            parentName,
          },
        };
      }
    }
  }
}

function sortedDaysBetween(random: SeededRandom, count: number, firstDay: number, endDay: number): number[] {
  const days: number[] = [];
  for (let index = 0; index < count; index += 1)
    days.push(firstDay + Math.floor(random.next() * (endDay - firstDay)));
  return days.sort((a, b) => a - b);
}

function* generateDeals(context: GenerationContext): Generator<CanonicalRecord> {
  const { settings, plan } = context;
  const random = context.random.opportunities;
  const wantsOpportunities = context.wants('opportunity');
  const wantsActivities = context.wants('activity');
  const wantsLeads = context.wants('lead');
  for (let month = 0; month < settings.months; month += 1) {
    const monthStart = addMonths(settings.startDay, month);
    if (monthStart >= settings.asOfDay) return;
    const monthEnd = addMonths(settings.startDay, month + 1);
    const monthDays = monthEnd - monthStart;
    const season = (createdSeasonality[civilFromDay(monthStart).month - 1] ?? 1) / meanSeasonality;
    for (const rep of plan.reps) {
      const fromDay = Math.max(monthStart, rep.hiredDay);
      const endDay = Math.min(monthEnd, settings.asOfDay, rep.leftDay);
      if (endDay <= fromDay) continue;
      const expected =
        (settings.opportunitiesPerRepPerMonth *
          season *
          rampAt(rep.hiredDay, (fromDay + endDay) / 2) *
          rep.volume *
          (endDay - fromDay)) /
        monthDays;
      for (const createdDay of sortedDaysBetween(random, random.poisson(expected), fromDay, endDay)) {
        if (context.counters.opportunities >= settings.maxOpportunities) return;
        const deal = simulateOpportunity(context, rep, createdDay);
        if (wantsOpportunities) yield { kind: 'opportunity', record: deal.record };
        if (wantsActivities) {
          for (const activity of generateOpportunityActivities(context, deal))
            yield { kind: 'activity', record: activity };
        }
        if (wantsLeads && deal.leadSource.fromLead) {
          for (const lead of generateLeads(context, deal)) yield { kind: 'lead', record: lead };
        }
        if (deal.outcome === 'won') yield* generateCustomerLife(context, deal);
      }
      if (wantsActivities) {
        for (const activity of generateProspectingActivities(context, rep, fromDay, endDay - 1, expected))
          yield { kind: 'activity', record: activity };
      }
    }
  }
}

function isEmployedOn(rep: RepProfile, day: number): boolean {
  return rep.hiredDay <= day && day < rep.leftDay;
}

function* generateSpend(context: GenerationContext): Generator<CanonicalRecord> {
  const { settings, plan } = context;
  const random = createRandom(settings.seed, 'spend');
  for (let month = 0; month < settings.months; month += 1) {
    const monthStart = addMonths(settings.startDay, month);
    if (monthStart >= settings.asOfDay) return;
    const monthEnd = addMonths(settings.startDay, month + 1);
    const middle = Math.floor((monthStart + monthEnd) / 2);
    let activeReps = 0;
    for (const rep of plan.reps) if (isEmployedOn(rep, middle)) activeReps += 1;
    const season = (createdSeasonality[civilFromDay(monthStart).month - 1] ?? 1) / meanSeasonality;
    for (const channel of spendChannels) {
      const amountMinor = Math.round(
        channel.perRepMinor * activeReps * (channel.seasonal ? season : 1) * random.logNormal(0, 0.08),
      );
      yield {
        kind: 'spend',
        record: {
          startsOn: formatIsoDay(monthStart),
          endsOn: formatIsoDay(monthEnd - 1),
          channel: channel.channel,
          category: channel.category,
          amountMinor,
          currency: demoCurrency,
        },
      };
    }
  }
}

/** Expected yearly bookings of an average, fully ramped rep of the segment, stretched. */
function annualQuotaMinor(settings: GenerationSettings, segment: SegmentProfile): number {
  const expected =
    settings.opportunitiesPerRepPerMonth *
    12 *
    segment.winRate *
    segment.meanDealMinor *
    (1 - segment.discountBps / 10_000);
  return Math.round((expected * quotaStretch) / 500_000) * 500_000;
}

function formatDecimal(amountMinor: number): string {
  const whole = Math.trunc(amountMinor / 100);
  const cents = Math.abs(amountMinor % 100);
  return `${whole}.${String(cents).padStart(2, '0')}`;
}

function* generateQuotas(context: GenerationContext): Generator<CanonicalRecord> {
  const { settings, plan } = context;
  const windowEnd = addMonths(settings.startDay, settings.months);
  const annualBySegment = segmentProfiles.map((segment) => annualQuotaMinor(settings, segment));
  for (
    let quarterStart = startOfQuarter(settings.startDay);
    quarterStart < windowEnd;
    quarterStart = addMonths(quarterStart, 3)
  ) {
    const teamTotals = new Map<string, number>();
    const quotas: QuotaRecord[] = [];
    for (const rep of plan.reps) {
      // A quarter's quota is prorated by the months the rep is employed and by the ramp.
      let share = 0;
      for (let month = 0; month < 3; month += 1) {
        const monthStart = addMonths(quarterStart, month);
        const { year, month: calendarMonth } = civilFromDay(monthStart);
        const monthEnd = monthStart + daysInMonth(year, calendarMonth);
        const employedDays = Math.max(
          0,
          Math.min(monthEnd, rep.leftDay) - Math.max(monthStart, rep.hiredDay),
        );
        if (employedDays > 0)
          share += (employedDays / (monthEnd - monthStart)) * rampAt(rep.hiredDay, monthStart + 15);
      }
      const targetMinor =
        Math.round((((annualBySegment[rep.segmentIndex] ?? 0) / 12) * share) / 100_000) * 100_000;
      if (targetMinor <= 0) continue;
      teamTotals.set(rep.team.managerKey, (teamTotals.get(rep.team.managerKey) ?? 0) + targetMinor);
      quotas.push({
        positionRef: rep.key,
        periodKind: 'quarter',
        periodStartsOn: formatIsoDay(quarterStart),
        measure: 'revenue',
        target: formatDecimal(targetMinor),
        currency: demoCurrency,
      });
    }
    for (const quota of quotas) yield { kind: 'quota', record: quota };
    for (const team of plan.teams) {
      const total = teamTotals.get(team.managerKey);
      if (total === undefined) continue;
      yield {
        kind: 'quota',
        record: {
          positionRef: team.managerKey,
          periodKind: 'quarter',
          periodStartsOn: formatIsoDay(quarterStart),
          measure: 'revenue',
          target: formatDecimal(total),
          currency: demoCurrency,
        },
      };
    }
  }
}
