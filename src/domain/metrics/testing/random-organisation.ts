/**
 * Small random organisations for property tests: deals that live through dated events (created,
 * moved from stage to stage, re-estimated, handed over, pushed, won or lost, corrected after the
 * close, cancelled after a win), activities, quotas
 * and an effective-dated hierarchy. Each deal keeps its own event list, so the data "as it stood
 * at the end of day d" can be built independently of the engine (`truncateAt`): the oracle for
 * "nothing after the as-of day counts".
 */
import fc from 'fast-check';
import { fromDayNumber, toDayNumber } from '../../calendar/day-number.ts';
import {
  buildOpportunitySnapshot,
  type OpportunityChangeInput,
  type OpportunityInput,
} from '../../snapshot/build-opportunity-snapshot.ts';
import { activityTypes, type ActivityType } from '../../vocabulary.ts';
import type { AssignmentRow, MetricsInput, QuotaRow } from '../metric-types.ts';
import { buildActivitySnapshot, type ActivityInput } from './build-activity-snapshot.ts';

export const baseDay = toDayNumber('2024-01-01');
const openStages = ['Prospecting', 'Qualification', 'Proposal'] as const;
export const randomStages = [
  ...openStages.map((name) => ({ name, category: 'open' as const })),
  { name: 'Closed Won', category: 'won' as const },
  { name: 'Closed Lost', category: 'lost' as const },
];
export const people = [1, 2, 3, 4] as const;

const step = fc.record({
  gap: fc.integer({ min: 0, max: 12 }),
  amount: fc.option(fc.integer({ min: 0, max: 2_000_000 }), { freq: 3 }),
  owner: fc.option(fc.constantFrom(...people), { freq: 4 }),
  push: fc.boolean(),
});

const deal = fc.record({
  owner: fc.option(fc.constantFrom(...people), { freq: 12 }),
  created: fc.integer({ min: 0, max: 180 }),
  amount: fc.option(fc.integer({ min: 0, max: 2_000_000 }), { freq: 8 }),
  steps: fc.array(step, { maxLength: 3 }),
  outcome: fc.constantFrom('open', 'won', 'lost'),
  closeGap: fc.integer({ min: 0, max: 20 }),
  currency: fc.constantFrom('USD', 'USD', 'USD', 'EUR'),
  dealType: fc.constantFrom(null, 'new_business', 'expansion', 'renewal'),
  competitor: fc.option(fc.constantFrom('Acme', 'Globex'), { freq: 2 }),
  lostReason: fc.option(fc.constantFrom('Price', 'Timing'), { freq: 3 }),
  marginBps: fc.option(fc.integer({ min: -2_000, max: 10_000 }), { freq: 4 }),
  product: fc.integer({ min: 1, max: 3 }),
  account: fc.integer({ min: 1, max: 5 }),
  leadSource: fc.option(fc.constantFrom('Web', 'Partner'), { freq: 3 }),
  // Some CRMs export a closed deal without its closed date: it is then dated by its close_on.
  closedOnMissing: fc.boolean(),
  // A won deal cancelled this many days after its close (kept only if it is still won at the end).
  cancelGap: fc.option(fc.integer({ min: 0, max: 40 }), { freq: 3 }),
  // A correction after the close (amount re-keyed, deal handed over), as CRMs record them.
  afterClose: fc.option(
    fc.record({
      // Often the day after the close (the edge of "unchanged since its closing day").
      gap: fc.oneof(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 30 })),
      amount: fc.option(fc.integer({ min: 0, max: 2_000_000 }), { freq: 2 }),
      owner: fc.option(fc.constantFrom(...people), { freq: 2 }),
      // Reopened: back in an open stage (it has no closed_on then).
      reopen: fc.boolean(),
    }),
    { freq: 3 },
  ),
});

const activity = fc.record({
  type: fc.constantFrom(...activityTypes),
  person: fc.option(fc.constantFrom(...people), { freq: 10 }),
  day: fc.integer({ min: 0, max: 200 }),
  opportunity: fc.option(fc.integer({ min: 1, max: 40 }), { freq: 2 }),
  account: fc.option(fc.integer({ min: 1, max: 5 }), { freq: 2 }),
});

/** Each person's team for two spans: a move on `moveDay` (relative), possibly to the same team. */
const assignment = fc.record({
  firstTeam: fc.constantFrom(10, 20),
  secondTeam: fc.constantFrom(10, 20),
  moveDay: fc.integer({ min: 0, max: 200 }),
});

export const organisationSpec = fc.record({
  deals: fc.array(deal, { maxLength: 40 }),
  activities: fc.array(activity, { maxLength: 40 }),
  assignments: fc.tuple(assignment, assignment, assignment, assignment),
  quotas: fc.array(fc.integer({ min: 0, max: 3_000_000 }), { minLength: 8, maxLength: 8 }),
});
export type OrganisationSpec = typeof organisationSpec extends fc.Arbitrary<infer T> ? T : never;

type DealState = { stage: string; amount: number | null; closeOn: number; owner: number | null };
type DealEvent = { day: number; minute: number; set: Partial<DealState> };

/** A deal's events, in order: creation, each step, then the close if it has one. */
function eventsOf(spec: OrganisationSpec['deals'][number]): DealEvent[] {
  let day = baseDay + spec.created;
  let minute = 0;
  let closeOn = day + 30;
  const events: DealEvent[] = [
    { day, minute, set: { stage: openStages[0], amount: spec.amount, closeOn, owner: spec.owner } },
  ];
  spec.steps.forEach((s, i) => {
    day += s.gap;
    minute = s.gap === 0 ? minute + 1 : 0;
    const set: Partial<DealState> = { stage: openStages[Math.min(i + 1, openStages.length - 1)] };
    if (s.amount !== null) set.amount = s.amount;
    if (s.owner !== null) set.owner = s.owner;
    if (s.push) set.closeOn = closeOn = closeOn + 14;
    events.push({ day, minute, set });
  });
  if (spec.outcome !== 'open') {
    day += spec.closeGap;
    minute = spec.closeGap === 0 ? minute + 1 : 0;
    events.push({
      day,
      minute,
      set: { stage: spec.outcome === 'won' ? 'Closed Won' : 'Closed Lost', closeOn: day },
    });
    const after = spec.afterClose;
    if (after && (after.amount !== null || after.owner !== null || after.reopen)) {
      day += after.gap;
      minute = after.gap === 0 ? minute + 1 : 0;
      const set: Partial<DealState> = {};
      if (after.amount !== null) set.amount = after.amount;
      if (after.owner !== null) set.owner = after.owner;
      if (after.reopen) set.stage = openStages[openStages.length - 1];
      events.push({ day, minute, set });
    }
  }
  return events;
}

const stageCategory = new Map(randomStages.map((s) => [s.name, s.category]));

/**
 * The organisation's metrics input; with `truncateAt`, as it stood at the end of that day: deals
 * created later left out, later events not applied, later activities dropped.
 */
export function buildOrganisation(spec: OrganisationSpec, truncateAt = Infinity): MetricsInput {
  const opportunities: OpportunityInput[] = [];
  const changes: OpportunityChangeInput[] = [];
  spec.deals.forEach((d, index) => {
    const id = index + 1;
    const events = eventsOf(d).filter((e) => e.day <= truncateAt);
    if (events.length === 0) return;
    let state: DealState | undefined;
    for (const event of events) {
      const next: DealState = {
        ...(state ?? { stage: '', amount: null, closeOn: 0, owner: null }),
        ...event.set,
      };
      const changedAt = `${fromDayNumber(event.day)}T10:${String(event.minute).padStart(2, '0')}:00Z`;
      const field = <K extends keyof DealState>(
        key: K,
        name: OpportunityChangeInput['field'],
        text: (value: DealState[K]) => string | null,
      ) => {
        const before = state ? text(state[key]) : null;
        const after = text(next[key]);
        if (before !== after)
          changes.push({ opportunityId: id, changedAt, field: name, oldValue: before, newValue: after });
      };
      field('stage', 'stage', (v) => v);
      field('amount', 'amount_minor', (v) => (v === null ? null : String(v)));
      field('closeOn', 'close_on', (v) => fromDayNumber(v));
      field('owner', 'owner_person_id', (v) => (v === null ? null : String(v)));
      state = next;
    }
    const category = stageCategory.get(state!.stage);
    const closed = category !== 'open';
    // Cancelled: a day after the close (on the close day at the earliest), once that day has come.
    const closeEvent = events.find((e) => e.set.stage === 'Closed Won');
    const cancelledDay =
      category === 'won' && closeEvent && d.cancelGap !== null ? closeEvent.day + d.cancelGap : null;
    opportunities.push({
      id,
      stage: state!.stage,
      ownerPersonId: state!.owner,
      accountId: d.account,
      productId: d.product,
      competitor: d.competitor,
      // A reopened deal keeps the lost reason it was closed with, as CRMs do: the history records
      // stage changes, not lost-reason edits, so clearing it would rewrite what was true back then.
      lostReason: d.outcome === 'lost' ? d.lostReason : null,
      leadSource: d.leadSource,
      dealType: d.dealType,
      currency: d.currency,
      amountMinor: state!.amount,
      grossMarginBps: d.marginBps,
      createdOn: fromDayNumber(baseDay + d.created),
      closeOn: fromDayNumber(state!.closeOn),
      // The close sets closeOn to its day; a correction after it leaves closeOn alone.
      closedOn: closed && !d.closedOnMissing ? fromDayNumber(state!.closeOn) : null,
      isClosed: closed,
      isWon: category === 'won',
      cancelledOn: cancelledDay !== null && cancelledDay <= truncateAt ? fromDayNumber(cancelledDay) : null,
    });
  });
  // An activity refers to a deal only if the deal exists by the activity's day, so the
  // truncated organisation has every deal its activities refer to.
  const dealCreated = (id: number | null) => (id === null ? undefined : spec.deals[id - 1]?.created);
  const activities: ActivityInput[] = spec.activities
    .map((a, index) => ({
      id: index + 1,
      type: a.type as ActivityType,
      personId: a.person,
      accountId: a.account,
      opportunityId: (dealCreated(a.opportunity) ?? Infinity) <= a.day ? a.opportunity : null,
      occurredOn: baseDay + a.day,
    }))
    .filter((a) => a.occurredOn <= truncateAt);
  const assignments: AssignmentRow[] = spec.assignments.flatMap((a, index) => {
    const personId = index + 1;
    const move = baseDay + a.moveDay;
    const team = (teamId: number) => ({ teamId, managerId: teamId * 10, regionId: teamId === 10 ? 1 : 2 });
    return [
      { personId, from: baseDay - 1_000, to: move, ...team(a.firstTeam) },
      { personId, from: move, to: Infinity, ...team(a.secondTeam) },
    ];
  });
  // Two quarters of quota per person (the second starting on day 91).
  const quotas: QuotaRow[] = spec.quotas.map((targetMinor, index) => ({
    personId: (index % 4) + 1,
    from: baseDay + (index < 4 ? 0 : 91),
    to: baseDay + (index < 4 ? 91 : 182),
    targetMinor,
  }));
  return {
    opportunities: buildOpportunitySnapshot({ stages: randomStages, opportunities, changes }),
    activities: buildActivitySnapshot(activities),
    dimensions: {
      people: people.map((id) => ({ id, name: `Person ${id}` })),
      assignments,
      accounts: [1, 2, 3, 4, 5].map((id) => ({
        id,
        segment: id <= 2 ? 'SMB' : 'Enterprise',
        industry: id % 2 === 0 ? 'Retail' : null,
      })),
      products: [1, 2, 3].map((id) => ({ id, name: `Product ${id}` })),
      teams: [
        { id: 10, name: 'Ten' },
        { id: 20, name: 'Twenty' },
      ],
      regions: [
        { id: 1, name: 'One' },
        { id: 2, name: 'Two' },
      ],
    },
    quotas,
  };
}
