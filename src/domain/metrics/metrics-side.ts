/**
 * One evaluation of a metrics request for one period and as-of day (the current period, or the
 * prior one it is compared with): one pass over the opportunity columns, one over the activities,
 * one over the quota rows, each writing into MetricTally by group slot. docs/metrics.md
 * "Conventions" is the rule book: which day puts a record in a period, whose it is, what counts.
 */
import { NULL_CODE, NULL_DAY, NULL_INT32, createIdIndex } from '../snapshot/columns.ts';
import { activityDayIndex } from '../snapshot/activity-snapshot.ts';
import { DomainError } from '../errors.ts';
import { cumulativeShareMinor, marginMinor, twiceMedian } from './exact-arithmetic.ts';
import { GroupResolver, SlotTable, NO_KEY } from './group-resolver.ts';
import { candidateRows } from './opportunity-row-index.ts';
import { cellTallies, closedCells, type ClosedCells } from './closed-cells.ts';
import {
  CLOSED_CHANGED_LATER,
  CLOSED_WON,
  NOT_CLOSED,
  closedDeals,
  decidedColumnsOf,
  type DecidedColumns,
} from './closed-deals.ts';
import { cancelledBy } from '../snapshot/opportunity-snapshot.ts';
import { dayOfPosition, dayRange } from '../snapshot/day-index.ts';
import { stageEvents } from './stage-events.ts';
import { MetricTally, PersonLedger, RecordLog, ValueLog, type RecordRule } from './metric-tally.ts';
import { addMonths, tenureMonthOf } from './metric-periods.ts';
import type { MetricsInput, PeriodSpan } from './metric-types.ts';
import { RowHistory, endOfDayMs } from './row-history.ts';

/** Which passes and which parts of them a request needs. */
export type MetricNeeds = {
  closed: boolean;
  created: boolean;
  open: boolean;
  stages: boolean;
  activities: boolean;
  /** Count the distinct people active per group (activities per rep). */
  activePeople: boolean;
  quota: boolean;
  ledger: boolean;
  cycleList: boolean;
  ramp: boolean;
};

/** Counts of data conditions met on the way, reported as issues. */
export type SideIssues = {
  otherCurrency: number;
  missingAmount: number;
  closedWithoutDate: number;
  negativeCycle: number;
  unknownStage: number;
};

/** Ramp results per group slot. */
export type RampResult = {
  /** Twice the median of tenured sellers' won revenue in the benchmark year (NaN when there are none). */
  twiceBenchmarkAnnual: number;
  monthsSum: Map<number, number>;
  ramped: Map<number, number>;
  stillRamping: Map<number, number>;
};

const BENCHMARK_DAYS = 365;
const MAX_TENURE_MONTHS = 4096;

type RampPlan = {
  hires: SlotTable;
  hireIds: number[];
  hireDays: number[];
  tenured: SlotTable;
  tenuredRevenue: Float64Array;
  benchmarkFrom: number;
  monthRevenue: Map<number, number>;
};

export class MetricsSide {
  readonly slots = new SlotTable();
  readonly tally: MetricTally;
  readonly ledger = new PersonLedger();
  readonly cycles = new ValueLog();
  readonly logs = new Map<RecordRule, RecordLog>();
  readonly issues: SideIssues = {
    otherCurrency: 0,
    missingAmount: 0,
    closedWithoutDate: 0,
    negativeCycle: 0,
    unknownStage: 0,
  };
  /** First day and first day after of the counted window: the period up to the as-of day. */
  readonly windowFrom: number;
  readonly windowTo: number;
  /** Open stages in pipeline order (stage codes). */
  readonly openStages: number[] = [];
  /** Per stage code: -1 unknown, 0 open, 1 won, 2 lost. */
  private readonly stageCategory: Int8Array;
  /** Per stage code: its rank among the open stages, or -1. */
  private readonly openRank: Int32Array;
  /** People with at least one activity in the window, per slot (when needs.activePeople). */
  readonly activePeople = new Map<number, number>();
  ramp: RampResult | undefined;
  /** The scope predicate, read once (the input's shape varies between callers; the hot path should not). */
  private readonly visible: ((personId: number, day: number) => boolean) | null;
  /** Σ|amount| added to each money tally family: exact while each stays below 2^53. */
  private wonAbs = 0;
  private createdAbs = 0;
  private openAbs = 0;

  constructor(
    private readonly input: MetricsInput,
    private readonly resolver: GroupResolver,
    readonly period: PeriodSpan,
    readonly asOf: number,
    private readonly currencyCode: number,
    private readonly needs: MetricNeeds,
    rules: ReadonlySet<RecordRule>,
  ) {
    this.visible = input.visible ?? null;
    this.windowFrom = period.from;
    this.windowTo = Math.min(period.to, asOf + 1);
    const snapshot = input.opportunities;
    const stageCount = snapshot.stage.dictionary.length;
    this.stageCategory = new Int8Array(stageCount).fill(-1);
    this.openRank = new Int32Array(stageCount).fill(-1);
    snapshot.stageCategory.forEach((category, code) => {
      if (category === null) return;
      this.stageCategory[code] = category === 'open' ? 0 : category === 'won' ? 1 : 2;
      if (category === 'open') {
        this.openRank[code] = this.openStages.length;
        this.openStages.push(code);
      }
    });
    this.tally = new MetricTally(
      snapshot.lostReason.dictionary.length + 1,
      stageCount,
      this.openStages.length,
      resolver.groupBy === 'company' ? 1 : input.dimensions.people.length + 16,
      {
        closed: needs.closed || needs.ramp,
        created: needs.created,
        open: needs.open,
        quota: needs.quota,
        stages: needs.stages,
        activities: needs.activities,
      },
    );
    for (const rule of rules) this.logs.set(rule, new RecordLog());
  }

  /** The opportunity snapshot the side reads (for stage and reason names). */
  get inputSnapshot(): MetricsInput['opportunities'] {
    return this.input.opportunities;
  }

  /** Runs the passes the request needs. */
  run(): this {
    const { needs } = this;
    const rampPlan = needs.ramp ? this.planRamp() : undefined;
    if (needs.closed || needs.created || needs.open || rampPlan) this.passOpportunities(rampPlan);
    if (needs.stages) this.passStages();
    if (needs.activities) this.passActivities();
    if (needs.quota) this.passQuotas();
    if (rampPlan) this.ramp = this.finishRamp(rampPlan);
    const limit = Number.MAX_SAFE_INTEGER;
    if (this.wonAbs > limit || this.createdAbs > limit || this.openAbs > limit)
      throw new DomainError('unsafe_integer', 'A money sum exceeds 2^53 minor units: it would not be exact');
    return this;
  }

  private slotOfKey(key: number): number {
    const slot = this.slots.slotOf(key);
    this.tally.ensure(slot);
    return slot;
  }

  private isVisible(person: number, day: number): boolean {
    const visible = this.visible;
    return visible === null || (person !== NULL_CODE && visible(person, day));
  }

  /** The one pass over the opportunity columns. */
  private passOpportunities(ramp: RampPlan | undefined): void {
    const s = this.input.opportunities;
    const { tally, resolver, needs, asOf, currencyCode, stageCategory, issues } = this;
    const { windowFrom, windowTo } = this;
    const periodFrom = this.period.from;
    const periodTo = this.period.to;
    const personBased = resolver.personBased;
    const asOfEndMs = endOfDayMs(asOf);
    const history = new RowHistory(s);
    const other = new RowHistory(s);
    const { createdOn, closedOn, isClosed: closedNow, isWon: wonNow, currency } = s;
    const { amountMinor, closeOn: closeOnColumn, owner: ownerColumn } = s;
    const stageCodes = s.stage.codes;
    const currencyCodes = currency.codes;
    const dealTypeCode = (type: string): number => s.dealType.dictionary.indexOf(type);
    const newBusinessCode = dealTypeCode('new_business');
    const expansionCode = dealTypeCode('expansion');
    const renewalCode = dealTypeCode('renewal');
    const reasonWidth = tally.reasonWidth;
    const stageWidth = tally.stageWidth;
    const log = (rule: RecordRule) => this.logs.get(rule);
    const wonLog = log('won');
    const wonMoneyLog = log('wonMoney');
    const typeLogs = [log('wonNewBusiness'), log('wonExpansion'), log('wonRenewal')];
    const decidedLog = log('decided');
    const lostLog = log('lost');
    const competitiveLog = log('competitiveDecided');
    const cycleLog = log('cycle');
    const marginLog = log('margin');
    const createdLog = log('created');
    const createdMoneyLog = log('createdMoney');
    const openLog = log('open');
    const openMoneyLog = log('openMoney');
    const coverLog = log('cover');
    // Closed deals are read from the earliest day any closed-deal measure needs.
    const closedFrom = ramp ? Math.min(windowFrom, ramp.benchmarkFrom, ...ramp.hireDays) : windowFrom;
    const closedTo = ramp ? asOf + 1 : windowTo;
    const needClosed = needs.closed || ramp !== undefined;
    const everyRow = needs.open;
    const needCreated = needs.created;

    const rowColumns = decidedColumnsOf(s);
    // A deal decided (won or lost) in the window, counted in its group: its columns at index i of
    // `c` (the snapshot's own for the row path, closedDeals' packed ones for the fast path).
    const countDecided = (
      c: DecidedColumns,
      i: number,
      r: number,
      day: number,
      owner: number,
      isWon: boolean,
      isLost: boolean,
      amount: number,
      inCurrency: boolean,
      hasAmount: boolean,
      created: number,
    ): number => {
      const slot = personBased
        ? this.slotOfKey(resolver.keyOfPerson(owner, day))
        : this.slotOfKey(resolver.keyOfDeal(r, isLost));
      const id = c.id[i]!;
      decidedLog?.push(slot, id);
      if (isWon) {
        tally.won[slot]! += 1;
        wonLog?.push(slot, id);
        if (!inCurrency) issues.otherCurrency++;
        else if (!hasAmount) issues.missingAmount++;
        if (hasAmount) {
          this.wonAbs += Math.abs(amount);
          tally.wonAmount[slot]! += amount;
          tally.wonWithAmount[slot]! += 1;
          wonMoneyLog?.push(slot, id);
          const type = c.dealType[i]!;
          if (type === newBusinessCode) {
            tally.wonNewBusiness[slot]! += amount;
            typeLogs[0]?.push(slot, id);
          } else if (type === expansionCode) {
            tally.wonExpansion[slot]! += amount;
            typeLogs[1]?.push(slot, id);
          } else if (type === renewalCode) {
            tally.wonRenewal[slot]! += amount;
            typeLogs[2]?.push(slot, id);
          }
          const bps = c.marginBps[i]!;
          if (bps !== NULL_INT32) {
            const margin = marginMinor(amount, bps);
            // A margin below -100% is larger than its amount: it counts towards the bound too.
            this.wonAbs += Math.abs(margin);
            tally.margin[slot]! += margin;
            tally.marginBase[slot]! += amount;
            marginLog?.push(slot, id);
          }
        }
        if (created !== NULL_DAY) {
          const cycle = day - created;
          if (cycle < 0) issues.negativeCycle++;
          else {
            tally.cycleDays[slot]! += cycle;
            tally.cycleDeals[slot]! += 1;
            cycleLog?.push(slot, id);
            if (needs.cycleList) this.cycles.push(slot, cycle);
          }
        }
        if (needs.ledger && owner !== NULL_CODE) {
          const entry = this.ledger.entry(slot, owner);
          if (hasAmount) this.ledger.revenue[entry]! += amount;
        }
      } else {
        tally.lost[slot]! += 1;
        lostLog?.push(slot, id);
        const reason = c.lostReason[i]!;
        tally.lostByReason[slot * reasonWidth + (reason === NULL_CODE ? reasonWidth - 1 : reason)]! += 1;
      }
      if (c.competitor[i] !== NULL_CODE) {
        tally.competitiveDecided[slot]! += 1;
        if (isWon) tally.competitiveWon[slot]! += 1;
        competitiveLog?.push(slot, id);
      }
      return slot;
    };
    const visitRow = (r: number): void => {
      const created = createdOn[r]!;
      // A deal created after the as-of day does not exist yet (NULL_DAY, unknown, is before every day).
      if (created > asOf) return;
      const closedDay = closedOn[r]!;
      // Before reading any history: a row none of the requested families can count. A closed
      // deal is dated by its closed_on when it has one, a created one by its creation day.
      if (
        !everyRow &&
        !(needClosed && (closedDay === NULL_DAY || (closedDay >= closedFrom && closedDay < closedTo))) &&
        !(needCreated && created >= windowFrom && created < windowTo)
      )
        return;
      // The deal as it stood at the end of the as-of day: its current values unless it changed later.
      let stage: number;
      let amount: number;
      let closeOnAsOf: number;
      let ownerAsOf: number;
      if (history.changesAfter(r, asOfEndMs)) {
        history.read(r, asOfEndMs);
        stage = history.stage;
        amount = history.amountMinor;
        closeOnAsOf = history.closeOn;
        ownerAsOf = history.owner;
      } else {
        stage = stageCodes[r]!;
        amount = amountMinor[r]!;
        closeOnAsOf = closeOnColumn[r]!;
        ownerAsOf = ownerColumn[r]!;
      }
      const category = stage === NULL_CODE ? -1 : stageCategory[stage]!;
      // Closed and won as of the as-of day (pipelineAsOf's rule): by the as-of stage's category,
      // and never when the deal closed after the day.
      const isClosed =
        !(closedDay !== NULL_DAY && closedDay > asOf) &&
        (category === -1 ? closedNow[r] === 1 : category !== 0);
      const isWon =
        isClosed && (category === -1 ? wonNow[r] === 1 : category === 1) && !cancelledBy(s, r, asOf);
      const inCurrency = currencyCodes[r] === currencyCode;
      const hasAmount = inCurrency && !Number.isNaN(amount);
      const isLost = isClosed && !isWon;
      let staticSlot = -1;

      if (needClosed && isClosed) {
        const day = closedDay !== NULL_DAY ? closedDay : closeOnAsOf;
        if (day === NULL_DAY) issues.closedWithoutDate++;
        else if (day >= closedFrom && day < closedTo) {
          const owner =
            day >= asOf || !history.changesAfter(r, endOfDayMs(day))
              ? ownerAsOf
              : history.ownerBefore(r, endOfDayMs(day));
          if (this.isVisible(owner, day)) {
            if (needs.closed && day >= windowFrom && day < windowTo) {
              const slot = countDecided(
                rowColumns,
                r,
                r,
                day,
                owner,
                isWon,
                isLost,
                amount,
                inCurrency,
                hasAmount,
                created,
              );
              if (!personBased) staticSlot = slot;
            }
            if (ramp && isWon && hasAmount && owner !== NULL_CODE)
              this.addRampRevenue(ramp, owner, day, amount);
          }
        }
      }

      if (needs.created && created >= windowFrom && created < windowTo) {
        // Owner and amount at the end of the creation day.
        const endMs = endOfDayMs(created);
        let owner = s.owner[r]!;
        let createdAmount = s.amountMinor[r]!;
        if (history.changesAfter(r, endMs)) {
          other.read(r, endMs);
          owner = other.owner;
          createdAmount = other.amountMinor;
        }
        if (this.isVisible(owner, created)) {
          const slot = personBased
            ? this.slotOfKey(resolver.keyOfPerson(owner, created))
            : staticSlot >= 0
              ? staticSlot
              : (staticSlot = this.slotOfKey(resolver.keyOfDeal(r, isLost)));
          const id = s.id[r]!;
          tally.created[slot]! += 1;
          createdLog?.push(slot, id);
          if (isWon) tally.createdWon[slot]! += 1;
          else if (isClosed) tally.createdLost[slot]! += 1;
          if (inCurrency && !Number.isNaN(createdAmount)) {
            this.createdAbs += Math.abs(createdAmount);
            tally.createdAmount[slot]! += createdAmount;
            createdMoneyLog?.push(slot, id);
          }
        }
      }

      if (needs.open && !isClosed) {
        const owner = ownerAsOf;
        if (this.isVisible(owner, asOf)) {
          const slot = personBased
            ? this.slotOfKey(resolver.keyOfPerson(owner, asOf))
            : staticSlot >= 0
              ? staticSlot
              : (staticSlot = this.slotOfKey(resolver.keyOfDeal(r, isLost)));
          const id = s.id[r]!;
          tally.open[slot]! += 1;
          openLog?.push(slot, id);
          if (hasAmount) {
            this.openAbs += Math.abs(amount);
            tally.openAmount[slot]! += amount;
            openMoneyLog?.push(slot, id);
            if (closeOnAsOf >= periodFrom && closeOnAsOf < periodTo) {
              tally.coverAmount[slot]! += amount;
              if (stage !== NULL_CODE) tally.coverByStage[slot * stageWidth + stage]! += amount;
              coverLog?.push(slot, id);
            }
          }
        }
      }
    };

    if (needs.closed && !needCreated && !needs.open && !ramp) {
      // Closed deals only: the packed columns of the deals closed in the window, in closing order
      // (read forwards), for every deal with no change after its closing day; the others, and the
      // deals without closed_on that may be closed (dated by their close_on as of the day, which
      // their history knows), by the row path.
      const closed = closedDeals(s);
      const { byDay, state, packed } = closed;
      const ownerColumn = packed.owner;
      const amountColumn = packed.amount;
      const currencyColumn = packed.currency;
      const createdColumn = packed.created;
      // The deals closed on the days [fromDay, toDay), one by one.
      const countPacked = (fromDay: number, toDay: number): void => {
        const [from, to] = dayRange(byDay, fromDay, toDay);
        if (from === to) return;
        let day = dayOfPosition(byDay, from);
        let dayEnd = byDay.offsets[day - byDay.firstDay + 1]!;
        for (let p = from; p < to; p++) {
          while (p >= dayEnd) dayEnd = byDay.offsets[++day - byDay.firstDay + 1]!;
          const dealState = state[p]!;
          if (dealState === CLOSED_CHANGED_LATER) {
            visitRow(byDay.rows[p]!);
            continue;
          }
          if (dealState === NOT_CLOSED) continue;
          const created = createdColumn[p]!;
          if (created > asOf) continue;
          const owner = ownerColumn[p]!;
          if (!this.isVisible(owner, day)) continue;
          const amount = amountColumn[p]!;
          const inCurrency = currencyColumn[p] === currencyCode;
          const isWon = dealState === CLOSED_WON;
          countDecided(
            packed,
            p,
            byDay.rows[p]!,
            day,
            owner,
            isWon,
            !isWon,
            amount,
            inCurrency,
            inCurrency && !Number.isNaN(amount),
            created,
          );
        }
      };
      // Whole calendar months through the month cells (closed-cells.ts) where they hold: by rep or
      // for the company, unscoped, without records or a median; the days at the edges one by one.
      const cellsHold =
        this.visible === null &&
        this.logs.size === 0 &&
        !needs.cycleList &&
        (resolver.groupBy === 'rep' || resolver.groupBy === 'company');
      if (cellsHold) {
        const cells = closedCells(s, currencyCode);
        const { monthStart } = cells;
        const months = monthStart.length - 1;
        let m = 0;
        while (m < months && monthStart[m]! < windowFrom) m++;
        let day = windowFrom;
        for (; m < months && monthStart[m + 1]! <= windowTo; m++) {
          countPacked(day, monthStart[m]!);
          if (cells.maxCreated[m]! <= asOf) {
            this.addCells(cells, m);
            for (let i = cells.laterStart[m]!; i < cells.laterStart[m + 1]!; i++)
              visitRow(cells.laterRows[i]!);
          } else countPacked(monthStart[m]!, monthStart[m + 1]!);
          day = monthStart[m + 1]!;
        }
        countPacked(day, windowTo);
      } else countPacked(windowFrom, windowTo);
      const without = closed.mayCloseWithoutDate;
      for (let position = 0; position < without.length; position++) visitRow(without[position]!);
    } else {
      // Only the rows some requested family can count (the day indexes of the snapshot).
      const rows = candidateRows(s, {
        ...(needClosed ? { closed: { from: closedFrom, to: closedTo } } : {}),
        ...(needCreated ? { created: { from: windowFrom, to: windowTo } } : {}),
        ...(needs.open ? { openAsOf: asOf } : {}),
      });
      for (let position = 0; position < rows.length; position++) visitRow(rows[position]!);
    }
  }

  /** Scratch: the slots of one month's cells (addCells). */
  private cellSlots = new Int32Array(0);

  /** Adds month m's cells (closed-cells.ts) as the deal-by-deal count would add their deals. */
  private addCells(cells: ClosedCells, m: number): void {
    const { tally, resolver, needs, issues } = this;
    const c0 = cells.cellStart[m]!;
    const c1 = cells.cellStart[m + 1]!;
    // The cells' slots first: a new slot may grow, and so replace, the tally arrays read below.
    const day = cells.monthStart[m]!;
    const cellOwner = cells.owner;
    const slots =
      this.cellSlots.length >= c1 - c0 ? this.cellSlots : (this.cellSlots = new Int32Array(c1 - c0));
    for (let c = c0; c < c1; c++) slots[c - c0] = this.slotOfKey(resolver.keyOfPerson(cellOwner[c]!, day));
    // Then each tally, one column at a time.
    for (const name of cellTallies) {
      const from = cells.tallies[name];
      const to = tally[name];
      for (let c = c0; c < c1; c++) to[slots[c - c0]!]! += from[c]!;
    }
    const { reasonStart, reasonColumn, reasonCount, reasonWidth } = cells;
    const reasons = tally.lostByReason;
    for (let c = c0; c < c1; c++)
      for (let r = reasonStart[c]!; r < reasonStart[c + 1]!; r++)
        reasons[slots[c - c0]! * reasonWidth + reasonColumn[r]!]! += reasonCount[r]!;
    if (needs.ledger) {
      const { won, wonAmount } = cells.tallies;
      for (let c = c0; c < c1; c++) {
        if (won[c] === 0 || cellOwner[c] === NULL_CODE) continue;
        const entry = this.ledger.entry(slots[c - c0]!, cellOwner[c]!);
        this.ledger.revenue[entry]! += wonAmount[c]!;
      }
    }
    issues.otherCurrency += cells.otherCurrency[m]!;
    issues.missingAmount += cells.missingAmount[m]!;
    issues.negativeCycle += cells.negativeCycle[m]!;
    this.wonAbs += cells.abs[m]!;
  }

  /**
   * Stage exits dated in the counted window (stage-events.ts, one slice of the snapshot's exits by
   * day): each exit from an open stage is an advance (to a later open stage or won), a loss (to a
   * lost stage) or a step back (to an earlier open stage), credited to the deal's owner at the end
   * of that day (person groupings) or to the deal's group.
   */
  private passStages(): void {
    const s = this.input.opportunities;
    const events = stageEvents(s);
    const [first, end] = dayRange(events, this.windowFrom, this.windowTo);
    if (first === end) return;
    const { tally, stageCategory, openRank, resolver, asOf } = this;
    const width = tally.openStageWidth;
    const exitsLog = this.logs.get('stageExits');
    const lossesLog = this.logs.get('stageLosses');
    const personBased = resolver.personBased;
    const needOwner = personBased || this.visible !== null;
    const byLostReason = resolver.groupBy === 'lost_reason';
    const { offsets, firstDay } = events;
    let day = dayOfPosition(events, first);
    let dayEnd = offsets[day - firstDay + 1]!;
    for (let p = first; p < end; p++) {
      while (p >= dayEnd) dayEnd = offsets[++day - firstDay + 1]!;
      const r = events.row[p]!;
      // A deal created after the as-of day does not exist yet (its exits are dated after its
      // creation, so only an exit flagged as dated before it can belong to such a deal).
      if (events.createdLater[p] === 1 && s.createdOn[r]! > asOf) continue;
      const from = events.from[p]!;
      const to = events.to[p]!;
      const rank = openRank[from]!;
      const toCategory = to < 0 ? -1 : stageCategory[to]!;
      if (stageCategory[from] === -1 || toCategory === -1) {
        this.issues.unknownStage++;
        continue;
      }
      if (!(rank >= 0)) continue;
      const owner = needOwner ? events.owner[p]! : NULL_CODE;
      if (needOwner && !this.isVisible(owner, day)) continue;
      const slot = personBased
        ? this.slotOfKey(resolver.keyOfPerson(owner, day))
        : this.slotOfKey(resolver.keyOfDeal(r, byLostReason && this.isLostAsOf(r)));
      const cell = slot * width + rank;
      tally.stageExits[cell]! += 1;
      if (toCategory === 1 || (toCategory === 0 && openRank[to]! > rank)) tally.stageAdvanced[cell]! += 1;
      else if (toCategory === 2) {
        tally.stageLost[cell]! += 1;
        lossesLog?.push(slot, s.id[r]!);
      }
      // Without a creation day the entry is unknown: the exit counts with no time in the stage.
      const entryDay = events.entryDay[p]!;
      tally.stageDays[cell]! += entryDay === NULL_DAY ? 0 : Math.max(0, day - entryDay);
      exitsLog?.push(slot, s.id[r]!);
    }
  }

  /** The pass over the activities: counts by type per group, and the people active in each group. */
  private passActivities(): void {
    const a = this.input.activities;
    const { tally, resolver, windowFrom, windowTo } = this;
    const width = MetricTally.activityWidth;
    const personBased = resolver.personBased;
    const byAccount = resolver.groupsActivitiesByAccount;
    const index = personBased || byAccount ? undefined : createIdIndex(this.input.opportunities.id);
    const byLostReason = resolver.groupBy === 'lost_reason';
    const log = this.logs.get('activities');
    // The people counted per group: (slot, person) pairs seen, with each person's last slot
    // remembered so the common case (same person, same group) needs no set lookup.
    const countPeople = this.needs.activePeople;
    const people = new SlotTable();
    const lastSlotOfPerson: number[] = [];
    const seen = new Set<number>();
    // Only the window's days, through the day index (built once per snapshot), day by day: the
    // day is the slice's, and person and type are read from the index's own day-ordered copies.
    const byDay = activityDayIndex(a);
    const { offsets, rows, firstDay } = byDay;
    const dayPerson = byDay.person;
    const dayType = byDay.type;
    const lastDay = firstDay + offsets.length - 2;
    const visible = this.visible;
    for (let day = Math.max(windowFrom, firstDay); day < windowTo && day <= lastDay; day++) {
      const end = offsets[day - firstDay + 1]!;
      for (let position = offsets[day - firstDay]!; position < end; position++) {
        const person = dayPerson[position]!;
        if (visible !== null && (person === NULL_CODE || !visible(person, day))) continue;
        let key: number;
        if (personBased) key = resolver.keyOfPerson(person, day);
        else if (byAccount) key = resolver.keyOfAccount(a.account[rows[position]!]!);
        else {
          const opportunity = a.opportunity[rows[position]!]!;
          const row = opportunity === NULL_CODE ? -1 : index!.rowOf(opportunity);
          key = row < 0 ? NO_KEY : resolver.keyOfDeal(row, byLostReason && this.isLostAsOf(row));
        }
        const slot = this.slotOfKey(key);
        tally.activities[slot * width + dayType[position]!]! += 1;
        log?.push(slot, a.id[rows[position]!]!);
        if (countPeople && person !== NULL_CODE) {
          const p = people.slotOf(person);
          if (p === lastSlotOfPerson.length) lastSlotOfPerson.push(-1);
          if (lastSlotOfPerson[p] === slot) continue;
          lastSlotOfPerson[p] = slot;
          const pair = slot * 2_147_483_648 + person;
          if (!seen.has(pair)) {
            seen.add(pair);
            this.activePeople.set(slot, (this.activePeople.get(slot) ?? 0) + 1);
          }
        }
      }
    }
  }

  /** Whether deal row r was lost as of the end of the as-of day (the rule of the opportunity pass). */
  private isLostAsOf(r: number): boolean {
    const s = this.input.opportunities;
    const asOf = this.asOf;
    if (s.createdOn[r]! > asOf) return false;
    const closedDay = s.closedOn[r]!;
    if (closedDay !== NULL_DAY && closedDay > asOf) return false;
    this.lostHistory ??= new RowHistory(s);
    this.lostHistory.read(r, endOfDayMs(asOf));
    const stage = this.lostHistory.stage;
    const category = stage === NULL_CODE ? -1 : this.stageCategory[stage]!;
    const won = category === -1 ? s.isClosed[r] === 1 && s.isWon[r] === 1 : category === 1;
    if (won) return cancelledBy(s, r, asOf);
    return category === -1 ? s.isClosed[r] === 1 && s.isWon[r] === 0 : category === 2;
  }

  private lostHistory: RowHistory | undefined;

  /** The pass over the quota rows: each row's share of the period, credited to its person's group. */
  private passQuotas(): void {
    const { from, to } = this.period;
    const log = this.logs.get('quotaPeople');
    let absolute = 0;
    for (const row of this.input.quotas) {
      const overlapFrom = Math.max(from, row.from);
      const overlapTo = Math.min(to, row.to);
      if (overlapTo <= overlapFrom) continue;
      const share =
        cumulativeShareMinor(row.targetMinor, row.from, row.to, overlapTo) -
        cumulativeShareMinor(row.targetMinor, row.from, row.to, overlapFrom);
      const day = Math.max(overlapFrom, Math.min(overlapTo - 1, this.asOf));
      if (!this.isVisible(row.personId, day)) continue;
      const slot = this.slotOfKey(this.resolver.keyOfPerson(row.personId, day));
      absolute += Math.abs(share);
      this.tally.quota[slot]! += share;
      log?.push(slot, row.personId);
      if (this.needs.ledger && share !== 0) {
        const entry = this.ledger.entry(slot, row.personId);
        this.ledger.quota[entry]! += share;
      }
    }
    if (absolute > Number.MAX_SAFE_INTEGER)
      throw new DomainError('unsafe_integer', 'The quotas add up beyond 2^53 minor units');
  }

  /** Hires of the period and tenured sellers of the benchmark year (docs/metrics.md, ramp_months). */
  private planRamp(): RampPlan {
    const { asOf } = this;
    const benchmarkFrom = asOf + 1 - BENCHMARK_DAYS;
    const quotaPeriods = new Map<number, { from: number; to: number }[]>();
    for (const row of this.input.quotas) {
      if (row.targetMinor <= 0) continue;
      const list = quotaPeriods.get(row.personId) ?? [];
      list.push(row);
      quotaPeriods.set(row.personId, list);
    }
    const hires = new SlotTable();
    const tenured = new SlotTable();
    const hireIds: number[] = [];
    const hireDays: number[] = [];
    for (const person of this.input.dimensions.people) {
      const hiredOn = person.hiredOn ?? null;
      const quotas = quotaPeriods.get(person.id);
      if (hiredOn === null || quotas === undefined) continue;
      if (
        hiredOn >= this.period.from &&
        hiredOn < this.period.to &&
        hiredOn <= asOf &&
        quotas.some((q) => q.to > hiredOn)
      ) {
        hires.slotOf(person.id);
        hireIds.push(person.id);
        hireDays.push(hiredOn);
      }
      const leftOn = person.leftOn ?? null;
      if (
        hiredOn <= benchmarkFrom - BENCHMARK_DAYS &&
        (leftOn === null || leftOn > asOf) &&
        quotas.some((q) => q.from <= asOf && q.to > benchmarkFrom)
      )
        tenured.slotOf(person.id);
    }
    return {
      hires,
      hireIds,
      hireDays,
      tenured,
      tenuredRevenue: new Float64Array(tenured.size),
      benchmarkFrom,
      monthRevenue: new Map(),
    };
  }

  private addRampRevenue(ramp: RampPlan, owner: number, day: number, amount: number): void {
    const hire = ramp.hires.findSlot(owner);
    if (hire >= 0) {
      const hiredOn = ramp.hireDays[hire]!;
      const month = tenureMonthOf(hiredOn, day);
      if (month > 0 && month < MAX_TENURE_MONTHS) {
        const key = hire * MAX_TENURE_MONTHS + month;
        ramp.monthRevenue.set(key, (ramp.monthRevenue.get(key) ?? 0) + amount);
      }
    }
    const seller = ramp.tenured.findSlot(owner);
    if (seller >= 0 && day >= ramp.benchmarkFrom) ramp.tenuredRevenue[seller]! += amount;
  }

  private finishRamp(ramp: RampPlan): RampResult {
    const n = ramp.tenuredRevenue.length;
    const twiceBenchmarkAnnual = twiceMedian(ramp.tenuredRevenue, n);
    const result: RampResult = {
      twiceBenchmarkAnnual,
      monthsSum: new Map(),
      ramped: new Map(),
      stillRamping: new Map(),
    };
    if (n === 0) return result;
    const add = (map: Map<number, number>, slot: number, value: number) =>
      map.set(slot, (map.get(slot) ?? 0) + value);
    ramp.hireIds.forEach((person, hire) => {
      const hiredOn = ramp.hireDays[hire]!;
      if (!this.isVisible(person, hiredOn)) return;
      const slot = this.slotOfKey(this.resolver.keyOfPerson(person, hiredOn));
      let reached = 0;
      // Complete tenure months only: month k is complete when it ends on or before the as-of day.
      for (let month = 1; addMonths(hiredOn, month) <= this.asOf + 1; month++) {
        const revenue = ramp.monthRevenue.get(hire * MAX_TENURE_MONTHS + month) ?? 0;
        // revenue ≥ benchmark annual ÷ 12, without fractions: 24 × revenue ≥ 2 × annual.
        if (24 * revenue >= twiceBenchmarkAnnual) {
          reached = month;
          break;
        }
      }
      if (reached > 0) {
        add(result.monthsSum, slot, reached);
        add(result.ramped, slot, 1);
      } else add(result.stillRamping, slot, 1);
    });
    return result;
  }
}
