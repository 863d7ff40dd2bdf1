/**
 * Leads worked by the team's SDRs: the one that became the opportunity, and the ones from the same
 * source that did not (disqualified, nurtured, still open). Response times are skewed the way
 * speed-to-lead reports usually find them: most within hours, a long tail of days, some never.
 */
import type { LeadRecord } from '../records.ts';
import { formatIsoInstant } from './day-numbers.ts';
import { formatKey, type GenerationContext } from './generation-context.ts';
import type { SimulatedOpportunity } from './simulate-opportunity.ts';

const minutesPerDay = 1_440;

/** The leads behind one opportunity whose source is a lead (inbound, SDR, event), oldest first. */
export function generateLeads(context: GenerationContext, deal: SimulatedOpportunity): LeadRecord[] {
  const random = context.random.leads;
  const { rep } = deal;
  const leads: LeadRecord[] = [];
  const nextKey = (): string => {
    context.counters.leads += 1;
    return formatKey('lead', context.counters.leads, 9);
  };
  const sdr = (): string => random.pick(rep.team.sdrKeys.length > 0 ? rep.team.sdrKeys : [rep.key]);

  const createdDay = deal.createdDay - random.int(1, 21);
  const createdMinute = random.int(0, minutesPerDay - 1);
  const opportunityMinute = deal.createdMinute;
  // The response always precedes the conversion; a lead can wait days for a first touch.
  const latest = (deal.createdDay - createdDay) * minutesPerDay + opportunityMinute - createdMinute - 1;
  const responseMinutes = Math.min(latest, Math.round(random.logNormal(Math.log(90), 1.3)));
  leads.push({
    key: nextKey(),
    source: deal.leadSource.source,
    ownerRef: sdr(),
    accountRef: deal.record.accountRef,
    createdAt: formatIsoInstant(createdDay, createdMinute),
    firstResponseAt: formatIsoInstant(createdDay, createdMinute + responseMinutes),
    convertedAt: formatIsoInstant(deal.createdDay, opportunityMinute),
    opportunityRef: deal.record.key,
    status: 'Converted',
  });

  const { asOfDay } = context.settings;
  const unconverted = random.poisson(1.5);
  for (let index = 0; index < unconverted; index += 1) {
    const day = deal.createdDay - random.int(0, 30);
    const minute = random.int(0, minutesPerDay - 1);
    const roll = random.next();
    const status = roll < 0.45 ? 'Disqualified' : roll < 0.8 || day < asOfDay - 30 ? 'Nurture' : 'Open';
    const responded = random.chance(0.88);
    const responseMinutes = Math.round(random.logNormal(Math.log(240), 1.5));
    const hasAccount = random.chance(0.6);
    const accountOffset = random.int(0, rep.accountCount - 1);
    const respondedBeforeToday = day * minutesPerDay + minute + responseMinutes < asOfDay * minutesPerDay;
    leads.push({
      key: nextKey(),
      source: deal.leadSource.source,
      ownerRef: sdr(),
      accountRef: hasAccount ? formatKey('acct', rep.accountStart + accountOffset + 1, 7) : null,
      createdAt: formatIsoInstant(day, minute),
      firstResponseAt:
        responded && respondedBeforeToday ? formatIsoInstant(day, minute + responseMinutes) : null,
      convertedAt: null,
      opportunityRef: null,
      status,
    });
  }
  return leads;
}
