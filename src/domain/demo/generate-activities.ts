/**
 * Calls, e-mails, meetings, demos, quotes and follow-ups. Volume follows effort: a rep who works a
 * deal harder both logs more activities and (in simulate-opportunity) wins more often, and deals
 * that go further collect more touches, so activity counts carry the signal leading indicators
 * are meant to find.
 */
import type { ActivityRecord } from '../records.ts';
import type { ActivityType } from '../vocabulary.ts';
import { formatIsoInstant } from './day-numbers.ts';
import { activityMixByStage, activityTypeOrder } from './demo-parameters.ts';
import { formatKey, type GenerationContext } from './generation-context.ts';
import type { RepProfile } from './plan-organisation.ts';
import type { SimulatedOpportunity } from './simulate-opportunity.ts';
import type { SeededRandom } from './random.ts';

/** Share of all activities tied to an opportunity; the rest is prospecting. */
const opportunityActivityShare = 0.8;
/** Calibrates deal-stage depth so that the mean count per opportunity matches the setting. */
const depthNorm = 3.4;

const stageSubjects: readonly string[] = [
  'Prospecting',
  'Qualification',
  'Discovery',
  'Demo',
  'Proposal',
  'Negotiation',
];

type Touch = { durationMinutes: number | null; outcome: string; subject: string };

function describeTouch(random: SeededRandom, type: ActivityType, stage: number): Touch {
  const stageName = stageSubjects[stage] ?? 'Prospecting';
  switch (type) {
    case 'call': {
      const roll = random.next();
      const outcome = roll < 0.45 ? 'connected' : roll < 0.8 ? 'left_voicemail' : 'no_answer';
      return {
        durationMinutes: outcome === 'connected' ? random.int(5, 35) : 1,
        outcome,
        subject: `${stageName} call`,
      };
    }
    case 'email':
      return {
        durationMinutes: null,
        outcome: random.chance(0.35) ? 'replied' : 'sent',
        subject: `${stageName} e-mail`,
      };
    case 'meeting':
      return {
        durationMinutes: random.pick([30, 30, 45, 60]),
        outcome: random.chance(0.9) ? 'held' : 'no_show',
        subject: `${stageName} meeting`,
      };
    case 'demo':
      return {
        durationMinutes: random.pick([45, 60, 60, 90]),
        outcome: random.chance(0.92) ? 'completed' : 'rescheduled',
        subject: 'Product demo',
      };
    case 'quote':
      return { durationMinutes: null, outcome: 'sent', subject: 'Quote sent' };
    case 'follow_up':
      return { durationMinutes: random.int(5, 20), outcome: 'done', subject: `${stageName} follow-up` };
    default:
      return { durationMinutes: null, outcome: 'done', subject: 'Other' };
  }
}

function makeActivity(
  context: GenerationContext,
  type: ActivityType,
  personRef: string,
  accountIndex: number,
  opportunityRef: string | null,
  day: number,
  stage: number,
): ActivityRecord {
  const random = context.random.activities;
  context.counters.activities += 1;
  const touch = describeTouch(random, type, stage);
  return {
    key: formatKey('act', context.counters.activities, 10),
    type,
    personRef,
    accountRef: formatKey('acct', accountIndex + 1, 7),
    opportunityRef,
    occurredAt: formatIsoInstant(day, random.int(480, 1_080)),
    durationMinutes: touch.durationMinutes,
    outcome: touch.outcome,
    subject: touch.subject,
  };
}

function sortedDays(random: SeededRandom, count: number, firstDay: number, lastDay: number): number[] {
  const days: number[] = [];
  const span = lastDay - firstDay + 1;
  for (let index = 0; index < count; index += 1) days.push(firstDay + Math.floor(random.next() * span));
  return days.sort((a, b) => a - b);
}

/** The activities logged on an opportunity up to its close (or up to today while it is open). */
export function generateOpportunityActivities(
  context: GenerationContext,
  deal: SimulatedOpportunity,
): ActivityRecord[] {
  const random = context.random.activities;
  const reached = deal.stageEntryDays.length - 1;
  const mean =
    (context.settings.activitiesPerOpportunity * opportunityActivityShare * deal.effort * (1 + reached)) /
    depthNorm;
  const count = random.poisson(mean);
  const activities: ActivityRecord[] = [];
  if (count === 0) return activities;
  const { rep } = deal;
  for (const day of sortedDays(random, count, deal.createdDay, deal.lastDay)) {
    let stage = 0;
    while (
      stage + 1 < deal.stageEntryDays.length &&
      (deal.stageEntryDays[stage + 1] ?? Infinity) <= day &&
      stage < 5
    )
      stage += 1;
    const type = activityTypeOrder[random.weightedIndex(activityMixByStage[stage] ?? [1])] ?? 'call';
    const personRef = day >= rep.leftDay ? rep.team.managerKey : rep.key;
    activities.push(makeActivity(context, type, personRef, deal.accountIndex, deal.record.key, day, stage));
  }
  return activities;
}

/** Touches on a renewal: the rep (or, after the rep left, the manager) checks in before the term ends. */
export function generateRenewalActivities(
  context: GenerationContext,
  rep: RepProfile,
  opportunityRef: string,
  accountIndex: number,
  firstDay: number,
  lastDay: number,
): ActivityRecord[] {
  const random = context.random.activities;
  const count = random.int(1, 3);
  return sortedDays(random, count, firstDay, lastDay).map((day) =>
    makeActivity(
      context,
      random.chance(0.5) ? 'email' : 'call',
      day >= rep.leftDay ? rep.team.managerKey : rep.key,
      accountIndex,
      opportunityRef,
      day,
      5,
    ),
  );
}

/** Prospecting calls and e-mails into the rep's book that are not (yet) tied to a deal. */
export function generateProspectingActivities(
  context: GenerationContext,
  rep: RepProfile,
  firstDay: number,
  lastDay: number,
  expectedOpportunities: number,
): ActivityRecord[] {
  const random = context.random.activities;
  const count = random.poisson(
    expectedOpportunities *
      context.settings.activitiesPerOpportunity *
      (1 - opportunityActivityShare) *
      rep.effort,
  );
  return sortedDays(random, count, firstDay, lastDay).map((day) =>
    makeActivity(
      context,
      random.chance(0.55) ? 'call' : 'email',
      rep.key,
      rep.accountStart + random.int(0, rep.accountCount - 1),
      null,
      day,
      0,
    ),
  );
}
