/**
 * Deal risk (docs/forecasting.md §Deal risk): the open deals of a period that a manager should look
 * at, each with the reasons in words. A deal is at risk when it has been in its stage much longer
 * than deals usually stay there, has had no activity for a while, had its close date pushed more
 * than once, had its amount cut, or is single-threaded (one contact or none). Everything is read as
 * of the end of the as-of day: the pipeline through dealsAsOf (later changes undone), activities
 * dated up to that day, and the usual time in a stage from stage spells that ended by then. Pure:
 * the as-of day is an argument.
 *
 * The number of contacts on a deal is the CRM's current value (opportunities.contact_count), not
 * historised: the caller passes it only for today's pipeline, never for a past day. Silence is not
 * judged where no activity in the data names a deal.
 */
import { NULL_CODE, NULL_DAY } from '../snapshot/columns.ts';
import type { ActivitySnapshot } from '../snapshot/activity-snapshot.ts';
import { FIELD_CODE, type OpportunitySnapshot } from '../snapshot/opportunity-snapshot.ts';
import type { DealTimelines } from './deal-timelines.ts';
import { dealsAsOf } from './deals-as-of.ts';
import type { ForecastPeriod } from './forecast-types.ts';

const MS_PER_DAY = 86_400_000;

export const dealRiskKinds = [
  'stalled',
  'no_recent_activity',
  'close_date_pushed',
  'amount_cut',
  'single_threaded',
] as const;
export type DealRiskKind = (typeof dealRiskKinds)[number];

export type DealRiskReason = { kind: DealRiskKind; message: string };

export type RiskyDeal = {
  opportunityId: number;
  name: string | null;
  ownerId: number | null;
  stage: string;
  amountMinor: number;
  closeOn: number;
  ageInStageDays: number;
  /** Days since the last activity on the deal up to the as-of day; null when it never had one. */
  daysSinceActivity: number | null;
  pushes: number;
  /** Amount then, minus the highest amount it had before (negative when cut); 0 when never cut. */
  amountCutMinor: number;
  /** Contacts on the deal when `contacts` was given and knows it; else null. */
  contacts: number | null;
  reasons: DealRiskReason[];
};

export type DealRiskOptions = {
  /** In the stage this many times its usual (median) time: stalled. Default 2. */
  stallFactor?: number;
  /** No activity for more than this many days (or none at all on a deal older than it). Default 21. */
  quietDays?: number;
  /** More pushes of the close date than this. Default 1 ("pushed more than once"). */
  maxPushes?: number;
  /** Spells that ended within this many days before the as-of day teach the usual time. Default 365. */
  lookbackDays?: number;
};

export type DealRiskRequest = DealRiskOptions & {
  asOf: number;
  /** Only deals whose expected close day is in this period (and overdue ones); all open deals when left out. */
  period?: ForecastPeriod;
  /** Only deals in this currency (a code of the snapshot's currency column); default every deal. */
  currency?: number;
  /** Only deals of owners for whom this is true on the as-of day (the caller's scope). */
  visible?: (personId: number, day: number) => boolean;
  /**
   * The number of contacts on each deal, by opportunity id, as the CRM has it now. A deal with at
   * most one is single-threaded. Pass it only when the as-of day is today: it has no history. Deals
   * it does not know (no count in the data) are not judged.
   */
  contacts?: ReadonlyMap<number, number>;
};

/** The median number of days deals spent in each stage, from spells that ended in the lookback. */
export function usualDaysInStage(
  timelines: DealTimelines,
  asOf: number,
  lookbackDays: number,
): Map<number, number> {
  const byStage = new Map<number, number[]>();
  for (let r = 0; r < timelines.rowCount; r++) {
    const end = timelines.offsets[r + 1]!;
    for (let s = timelines.offsets[r]!; s < end - 1; s++) {
      const left = timelines.spellFrom[s + 1]!;
      if (left > asOf || left < asOf - lookbackDays) continue;
      const stage = timelines.spellStage[s]!;
      if (stage === NULL_CODE) continue;
      const list = byStage.get(stage) ?? [];
      list.push(left - timelines.spellFrom[s]!);
      byStage.set(stage, list);
    }
  }
  const usual = new Map<number, number>();
  for (const [stage, days] of byStage) {
    if (days.length < 5) continue;
    days.sort((a, b) => a - b);
    usual.set(stage, days[Math.floor((days.length - 1) / 2)]!);
  }
  return usual;
}

/** The open deals at risk as of the request's day, most reasons first, then the largest. */
export function findRiskyDeals(
  snapshot: OpportunitySnapshot,
  timelines: DealTimelines,
  activities: ActivitySnapshot | undefined,
  request: DealRiskRequest,
  names?: ReadonlyMap<number, string>,
): RiskyDeal[] {
  const { asOf, period } = request;
  const stallFactor = request.stallFactor ?? 2;
  const quietDays = request.quietDays ?? 21;
  const maxPushes = request.maxPushes ?? 1;
  const usual = usualDaysInStage(timelines, asOf, request.lookbackDays ?? 365);
  const { open } = dealsAsOf(snapshot, timelines, asOf, request.currency ?? -1);

  // The last activity on each deal up to the as-of day, by snapshot opportunity id.
  const lastActivity = new Map<number, number>();
  if (activities)
    for (let a = 0; a < activities.rowCount; a++) {
      const opportunity = activities.opportunity[a]!;
      const day = activities.occurredOn[a]!;
      if (opportunity === NULL_CODE || day > asOf) continue;
      if ((lastActivity.get(opportunity) ?? -Infinity) < day) lastActivity.set(opportunity, day);
    }

  // Where no activity names a deal (activities linked to people or accounts only), silence on a
  // deal says nothing: the rule is left out.
  const activityLinked = lastActivity.size > 0;
  const endMs = (asOf + 1) * MS_PER_DAY;
  const { changes } = snapshot;
  const risky: RiskyDeal[] = [];
  for (let i = 0; i < open.count; i++) {
    const row = open.row[i]!;
    const closeOn = open.closeOn[i]!;
    if (period && !(closeOn !== NULL_DAY && closeOn < period.to)) continue;
    const owner = open.owner[i]!;
    if (request.visible && (owner === NULL_CODE || !request.visible(owner, asOf))) continue;

    // Pushes and cuts, from the changes known by the end of the as-of day.
    let pushes = 0;
    let highest = Number.NaN;
    let cut = 0;
    for (let c = changes.offsets[row]!; c < changes.offsets[row + 1]!; c++) {
      if (changes.changedAtMs[c]! >= endMs) break;
      const field = changes.field[c];
      const before = changes.oldValue[c]!;
      const after = changes.newValue[c]!;
      if (field === FIELD_CODE.close_on && !Number.isNaN(before) && !Number.isNaN(after) && after > before)
        pushes++;
      if (field === FIELD_CODE.amount_minor && !Number.isNaN(before)) {
        highest = Number.isNaN(highest) ? before : Math.max(highest, before);
        if (!Number.isNaN(after)) highest = Math.max(highest, after);
      }
    }
    const amount = open.amountMinor[i]!;
    if (!Number.isNaN(highest) && amount < highest) cut = amount - highest;

    const stageCode = open.stage[i]!;
    const stage = snapshot.stage.dictionary[stageCode] ?? '(none)';
    const age = open.ageInStageDays[i]!;
    const id = snapshot.id[row]!;
    const last = lastActivity.get(id);
    const created = snapshot.createdOn[row]!;
    const reasons: DealRiskReason[] = [];
    const usualDays = usual.get(stageCode);
    if (usualDays !== undefined && usualDays > 0 && age > stallFactor * usualDays)
      reasons.push({
        kind: 'stalled',
        message: `in ${stage} for ${age} days; deals usually spend ${usualDays} days there`,
      });
    const sinceActivity = last === undefined ? null : asOf - last;
    if (
      activityLinked &&
      (sinceActivity !== null
        ? sinceActivity > quietDays
        : created !== NULL_DAY && asOf - created > quietDays)
    )
      reasons.push({
        kind: 'no_recent_activity',
        message:
          sinceActivity === null
            ? `no activity recorded in ${asOf - created} days since it was created`
            : `no activity for ${sinceActivity} days`,
      });
    if (pushes > maxPushes)
      reasons.push({ kind: 'close_date_pushed', message: `close date pushed ${pushes} times` });
    if (cut < 0)
      reasons.push({
        kind: 'amount_cut',
        message: `amount cut by ${Math.round((-cut / highest) * 100)}% from the highest it had`,
      });
    const contacts = request.contacts?.get(id) ?? null;
    if (contacts !== null && contacts <= 1)
      reasons.push({
        kind: 'single_threaded',
        message: contacts === 1 ? 'single-threaded: one contact on the deal' : 'no contact on the deal',
      });
    if (reasons.length === 0) continue;
    risky.push({
      opportunityId: id,
      name: names?.get(id) ?? null,
      ownerId: owner === NULL_CODE ? null : owner,
      stage,
      amountMinor: amount,
      closeOn,
      ageInStageDays: age,
      daysSinceActivity: sinceActivity,
      pushes,
      amountCutMinor: cut,
      contacts,
      reasons,
    });
  }
  return risky.sort(
    (a, b) =>
      b.reasons.length - a.reasons.length ||
      b.amountMinor - a.amountMinor ||
      a.opportunityId - b.opportunityId,
  );
}
