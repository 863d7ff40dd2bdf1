/**
 * The people of the demo organisation and what the generator needs to know about each rep
 * (segment, skill, effort, tenure, book of accounts). Held in memory: it grows with the number of
 * reps, never with the number of deals.
 */
import type { PersonRecord } from '../records.ts';
import { formatIsoDay } from './day-numbers.ts';
import { formatEmail, pickPersonName } from './demo-names.ts';
import {
  newHireShare,
  rampMonths,
  regionProfiles,
  repsPerSdr,
  repsPerTeam,
  segmentProfiles,
  skillTiers,
  teamsPerDirector,
  type RegionProfile,
  type SegmentProfile,
  type SkillTier,
} from './demo-parameters.ts';
import { createRandom } from './random.ts';

export type TeamPlan = {
  name: string;
  region: RegionProfile;
  segment: SegmentProfile;
  segmentIndex: number;
  managerKey: string;
  sdrKeys: string[];
  repIndexes: number[];
};

export type RepProfile = {
  key: string;
  index: number;
  team: TeamPlan;
  segment: SegmentProfile;
  segmentIndex: number;
  region: RegionProfile;
  tier: SkillTier;
  /** Multiplier on selling skill: 1 is an average rep, heroes about 1.7, the long tail about 0.65. */
  skill: number;
  /** How much activity the rep puts into each deal, relative to an average rep. */
  effort: number;
  /** Relative number of new opportunities a month. */
  volume: number;
  /** Relative deal size: good reps sell wider and bigger. */
  sizeFactor: number;
  /** Relative discount given: good reps defend price. */
  discountFactor: number;
  hiredDay: number;
  /** First day no longer employed; `Infinity` while employed. */
  leftDay: number;
  accountStart: number;
  accountCount: number;
};

export type OrganisationPlan = {
  people: PersonRecord[];
  teams: TeamPlan[];
  reps: RepProfile[];
  accountCount: number;
};

/** Splits `total` by shares with the largest-remainder method: the counts add up exactly. */
function allocate(total: number, shares: readonly number[]): number[] {
  const sum = shares.reduce((a, b) => a + b, 0);
  const exact = shares.map((share) => (total * share) / sum);
  const counts = exact.map((value) => Math.floor(value));
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((value, index) => ({ index, rest: value - Math.floor(value) }))
    .sort((x, y) => y.rest - x.rest || x.index - y.index);
  for (const { index } of order) {
    if (left === 0) break;
    counts[index] = (counts[index] ?? 0) + 1;
    left -= 1;
  }
  return counts;
}

/** Smooth weighted round-robin: spreads each segment's teams evenly through the team list. */
function interleave(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  const current = counts.map(() => 0);
  const sequence: number[] = [];
  for (let step = 0; step < total; step += 1) {
    let best = 0;
    for (let index = 0; index < counts.length; index += 1) {
      current[index] = (current[index] ?? 0) + (counts[index] ?? 0);
      if ((current[index] ?? 0) > (current[best] ?? 0)) best = index;
    }
    current[best] = (current[best] ?? 0) - total;
    sequence.push(best);
  }
  return sequence;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** Share of full productivity a rep hired on `hiredDay` has reached on `day`: linear over the ramp, onboarding first. */
export function rampAt(hiredDay: number, day: number): number {
  const monthsIn = (day - hiredDay) / 30.44;
  return Math.min(1, Math.max(0.05, monthsIn / rampMonths));
}

/** Builds the hierarchy (executive, directors, managers, reps, SDRs) and every rep's profile. */
export function planOrganisation(
  seed: number,
  repCount: number,
  startDay: number,
  asOfDay: number,
): OrganisationPlan {
  const random = createRandom(seed, 'people');
  const people: PersonRecord[] = [];
  const teamCount = Math.ceil(repCount / repsPerTeam);
  const regionCounts = allocate(
    teamCount,
    regionProfiles.map((region) => region.share),
  );
  const segmentSequence = interleave(
    allocate(
      teamCount,
      segmentProfiles.map((segment) => segment.teamShare),
    ),
  );

  const veteranHiredDay = (): number => startDay - random.int(120, 2_200);
  const person = (
    key: string,
    role: PersonRecord['role'],
    title: string,
    managerRef: string | null,
    team: string | null,
    region: string | null,
    hiredDay: number,
    leftDay: number,
  ): PersonRecord => {
    const name = pickPersonName(random);
    return {
      key,
      name: `${name.first} ${name.last}`,
      email: formatEmail(name, key),
      role,
      title,
      managerRef,
      team,
      region,
      hiredOn: formatIsoDay(hiredDay),
      leftOn: Number.isFinite(leftDay) ? formatIsoDay(leftDay) : null,
    };
  };

  const executive = person(
    'exec-001',
    'executive',
    'Chief Revenue Officer',
    null,
    null,
    null,
    veteranHiredDay(),
    Infinity,
  );
  people.push(executive);

  const teams: TeamPlan[] = [];
  const directors: PersonRecord[] = [];
  const managers: PersonRecord[] = [];
  const nameCounters = new Map<string, number>();
  let teamIndex = 0;
  regionProfiles.forEach((region, regionIndex) => {
    const regionTeams = regionCounts[regionIndex] ?? 0;
    for (let first = 0; first < regionTeams; first += teamsPerDirector) {
      const director = person(
        `dir-${pad(directors.length + 1, 4)}`,
        'director',
        `Sales Director, ${region.name}`,
        executive.key,
        null,
        region.name,
        veteranHiredDay(),
        Infinity,
      );
      directors.push(director);
      for (let offset = first; offset < Math.min(regionTeams, first + teamsPerDirector); offset += 1) {
        const segmentIndex = segmentSequence[teamIndex] ?? 0;
        const segment = segmentProfiles[segmentIndex] as SegmentProfile;
        const label = `${region.short} ${segment.segment}`;
        const number = (nameCounters.get(label) ?? 0) + 1;
        nameCounters.set(label, number);
        const name = `${label} ${number}`;
        const manager = person(
          `mgr-${pad(managers.length + 1, 5)}`,
          'manager',
          `Sales Manager, ${name}`,
          director.key,
          name,
          region.name,
          veteranHiredDay(),
          Infinity,
        );
        managers.push(manager);
        teams.push({
          name,
          region,
          segment,
          segmentIndex,
          managerKey: manager.key,
          sdrKeys: [],
          repIndexes: [],
        });
        teamIndex += 1;
      }
    }
  });
  people.push(...directors, ...managers);

  // Tiers are dealt from a shuffled deck so every org, however small, has its heroes and its tail.
  const tierCounts = allocate(
    repCount,
    skillTiers.map((tier) => tier.share),
  );
  const deck = random.shuffle(
    tierCounts.flatMap((count, index) => Array.from({ length: count }, () => index)),
  );
  const windowYears = (asOfDay - startDay) / 365.25;
  const reps: RepProfile[] = [];
  let accountStart = 0;
  for (let index = 0; index < repCount; index += 1) {
    const team = teams[index % teamCount] as TeamPlan;
    team.repIndexes.push(index);
    const tierProfile = skillTiers[deck[index] ?? 1] ?? skillTiers[1];
    if (tierProfile === undefined) throw new RangeError('no skill tiers');
    const skill = random.between(tierProfile.skillMin, tierProfile.skillMax);
    const isNewHire = random.chance(newHireShare);
    const hiredDay = isNewHire ? random.int(startDay, Math.max(startDay, asOfDay - 30)) : veteranHiredDay();
    const leaveChance = 1 - (1 - tierProfile.yearlyLeaveRate) ** windowYears;
    const earliestLeave = Math.max(startDay, hiredDay + 150);
    const leaves = random.chance(leaveChance) && earliestLeave < asOfDay - 1;
    const leftDay = leaves ? random.int(earliestLeave, asOfDay - 1) : Infinity;
    const effort = Math.sqrt(skill) * random.logNormal(0, 0.2);
    reps.push({
      key: `rep-${pad(index + 1, 5)}`,
      index,
      team,
      segment: team.segment,
      segmentIndex: team.segmentIndex,
      region: team.region,
      tier: tierProfile.tier,
      skill,
      effort,
      volume: skill ** 0.25,
      sizeFactor: skill ** 0.6,
      discountFactor: Math.max(0.5, 1.25 - 0.25 * skill),
      hiredDay,
      leftDay,
      accountStart,
      accountCount: team.segment.accountsPerRep,
    });
    accountStart += team.segment.accountsPerRep;
  }
  for (const rep of reps) {
    const tenureYears = (startDay - rep.hiredDay) / 365.25;
    const title = `${tenureYears > 3 ? 'Senior ' : ''}${rep.segment.segment === 'Enterprise' ? 'Enterprise ' : ''}Account Executive${rep.segment.segment === 'Mid-Market' ? ', Mid-Market' : ''}`;
    people.push(
      person(
        rep.key,
        'rep',
        title,
        rep.team.managerKey,
        rep.team.name,
        rep.region.name,
        rep.hiredDay,
        rep.leftDay,
      ),
    );
  }

  let sdrNumber = 0;
  for (const team of teams) {
    const sdrs = Math.max(1, Math.round(team.repIndexes.length / repsPerSdr));
    for (let count = 0; count < sdrs; count += 1) {
      sdrNumber += 1;
      const key = `sdr-${pad(sdrNumber, 5)}`;
      team.sdrKeys.push(key);
      people.push(
        person(
          key,
          'sdr',
          'Sales Development Representative',
          team.managerKey,
          team.name,
          team.region.name,
          veteranHiredDay(),
          Infinity,
        ),
      );
    }
  }
  return { people, teams, reps, accountCount: accountStart };
}
