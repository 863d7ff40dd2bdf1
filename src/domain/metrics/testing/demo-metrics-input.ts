/**
 * The demo organisation (src/domain/demo) as a metrics input: records keyed by external key become
 * rows with integer ids, in the order they are generated, the way an import would number them;
 * opportunity history becomes field changes as the record writer makes them (store/record-writer.ts
 * historyChanges). For realism tests and the benchmark script.
 */
import { toDayNumber } from '../../calendar/day-number.ts';
import { generateOrganisation, type GenerateOrganisationOptions } from '../../demo/generate-organisation.ts';
import { nativeStages } from '../../demo/native-stages.ts';
import type { OpportunityHistoryEntry } from '../../records.ts';
import {
  buildOpportunitySnapshot,
  type OpportunityChangeInput,
  type OpportunityInput,
} from '../../snapshot/build-opportunity-snapshot.ts';
import { addMonths } from '../metric-periods.ts';
import type { AssignmentRow, MetricsInput, PersonDimension, QuotaRow } from '../metric-types.ts';
import { buildActivitySnapshot, type ActivityInput } from './build-activity-snapshot.ts';

export type DemoMetricsInput = {
  input: MetricsInput;
  /** Person id by person key. */
  personIds: Map<string, number>;
  /** The demo's "today" minus one: the last day on which things happened. */
  lastDay: number;
};

function ids(): {
  of(key: string | null): number | null;
  get(key: string): number;
  map: Map<string, number>;
} {
  const map = new Map<string, number>();
  return {
    map,
    of: (key) => (key === null ? null : (map.get(key) ?? null)),
    get(key) {
      let id = map.get(key);
      if (id === undefined) map.set(key, (id = map.size + 1));
      return id;
    },
  };
}

/** Field changes from a list of earlier states, as the record writer derives them. */
function historyChanges(
  opportunityId: number,
  history: OpportunityHistoryEntry[],
  personId: (key: string | null) => number | null,
): OpportunityChangeInput[] {
  const previous = new Map<string, string | null>();
  const changes: OpportunityChangeInput[] = [];
  for (const entry of history) {
    const text = (value: number | null | undefined) =>
      value === undefined ? undefined : value === null ? null : String(value);
    const owner = entry.ownerRef === undefined ? undefined : text(personId(entry.ownerRef));
    const values: [OpportunityChangeInput['field'], string | null | undefined][] = [
      ['stage', entry.stage],
      ['amount_minor', text(entry.amountMinor)],
      ['close_on', entry.closeOn],
      ['probability', text(entry.probability)],
      ['owner_person_id', owner],
    ];
    for (const [field, value] of values) {
      if (value === undefined) continue;
      const before = previous.get(field) ?? null;
      if (before !== value)
        changes.push({ opportunityId, changedAt: entry.at, field, oldValue: before, newValue: value });
      previous.set(field, value);
    }
  }
  return changes;
}

function decimalToMinor(text: string): number {
  const [whole = '0', fraction = ''] = text.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2)) * (text.startsWith('-') ? -1 : 1);
}

/** Generates the demo organisation and turns it into a metrics input. */
export function demoMetricsInput(options: GenerateOrganisationOptions): DemoMetricsInput {
  const people = ids();
  const teams = ids();
  const regions = ids();
  const accounts = ids();
  const products = ids();
  const opportunityIds = ids();
  const personRows: PersonDimension[] = [];
  const assignments: AssignmentRow[] = [];
  const managerOf = new Map<number, string | null>();
  const accountRows: { id: number; segment: string | null; industry: string | null }[] = [];
  const productRows: { id: number; name: string }[] = [];
  const opportunities: OpportunityInput[] = [];
  const changes: OpportunityChangeInput[] = [];
  const activities: ActivityInput[] = [];
  const quotas: QuotaRow[] = [];
  let lastDay = Number.NEGATIVE_INFINITY;
  for (const item of generateOrganisation(options)) {
    switch (item.kind) {
      case 'person': {
        const p = item.record;
        const id = people.get(p.key);
        personRows.push({
          id,
          name: p.name,
          hiredOn: p.hiredOn === null ? null : toDayNumber(p.hiredOn),
          leftOn: p.leftOn === null ? null : toDayNumber(p.leftOn),
        });
        managerOf.set(id, p.managerRef);
        assignments.push({
          personId: id,
          from: Number.NEGATIVE_INFINITY,
          to: Number.POSITIVE_INFINITY,
          managerId: null,
          teamId: p.team === null ? null : teams.get(p.team),
          regionId: p.region === null ? null : regions.get(p.region),
        });
        break;
      }
      case 'account':
        accountRows.push({
          id: accounts.get(item.record.key),
          segment: item.record.segment,
          industry: item.record.industry,
        });
        break;
      case 'product':
        productRows.push({ id: products.get(item.record.key), name: item.record.name });
        break;
      case 'opportunity': {
        const o = item.record;
        const id = opportunityIds.get(o.key);
        opportunities.push({
          id,
          stage: o.stage,
          ownerPersonId: people.of(o.ownerRef),
          accountId: accounts.of(o.accountRef),
          productId: products.of(o.productRef),
          competitor: o.competitor,
          lostReason: o.lostReason,
          leadSource: o.leadSource,
          dealType: o.dealType,
          forecastCategory: o.forecastCategory,
          currency: o.currency,
          amountMinor: o.amountMinor,
          probability: o.probability,
          grossMarginBps: o.grossMarginBps,
          createdOn: o.createdOn!,
          closeOn: o.closeOn,
          closedOn: o.closedOn,
          isClosed: o.stage === 'Closed Won' || o.stage === 'Closed Lost',
          isWon: o.stage === 'Closed Won',
        });
        changes.push(...historyChanges(id, o.history, people.of));
        lastDay = Math.max(lastDay, toDayNumber(o.createdOn!));
        break;
      }
      case 'activity': {
        const a = item.record;
        activities.push({
          id: activities.length + 1,
          type: a.type,
          personId: people.of(a.personRef),
          accountId: accounts.of(a.accountRef),
          opportunityId: opportunityIds.of(a.opportunityRef),
          occurredOn: a.occurredAt.slice(0, 10),
        });
        break;
      }
      case 'quota': {
        const q = item.record;
        // Individual quotas only: the managers' are their teams' roll-ups.
        if (!q.positionRef.startsWith('rep-')) break;
        const from = toDayNumber(q.periodStartsOn);
        const months = q.periodKind === 'month' ? 1 : q.periodKind === 'quarter' ? 3 : 12;
        quotas.push({
          personId: people.get(q.positionRef),
          from,
          to: addMonths(from, months),
          targetMinor: decimalToMinor(q.target),
        });
        break;
      }
      default:
        break;
    }
  }
  for (const row of assignments) {
    const manager = managerOf.get(row.personId) ?? null;
    row.managerId = manager === null ? null : people.of(manager);
    // A manager's own deals (handed over by leavers) belong to the team they run, under themselves.
    if (manager !== null && manager.startsWith('dir-')) row.managerId = row.personId;
  }
  return {
    input: {
      opportunities: buildOpportunitySnapshot({ stages: nativeStages, opportunities, changes }),
      activities: buildActivitySnapshot(activities),
      dimensions: {
        people: personRows,
        assignments,
        accounts: accountRows,
        products: productRows,
        teams: [...teams.map].map(([name, id]) => ({ id, name })),
        regions: [...regions.map].map(([name, id]) => ({ id, name })),
      },
      quotas,
    },
    personIds: people.map,
    lastDay,
  };
}
