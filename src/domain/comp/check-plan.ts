/**
 * The checks a schema cannot make (docs/plans.md): every cross-reference resolves (a measure's
 * credit type, a component's credit, the measures tiers, thresholds, gates and multipliers read),
 * bands are ordered, contiguous and complete, each component has exactly one way to pay, dates are
 * in order, and every CEL expression compiles. All problems are returned at once, each with its
 * path (`components[0].multipliers[1].when`); `locatePlanProblems` adds the lines.
 */
import { parseIsoDate } from '../calendar/day-number.ts';
import type { Problem } from '../errors.ts';
import { PPM, type PlanComponent, type PlanDocument, type PlanTiers } from './plan-document.ts';
import { compileExpression } from './plan-expressions.ts';

/** A band bound as an exact number: attainment in ppm (100% → 1,000,000), money in millionths. */
export type BoundValue = { ppm: number };

/**
 * Reads a band bound: for attainment tiers a percentage ("125%") or a fraction (1.25); for amount
 * tiers money ("1000", 1000). Returns an error message when the text is neither.
 */
export function parseBound(
  value: string | number,
  basis: 'attainment' | 'amount',
): { ppm?: number; error?: string } {
  const raw = typeof value === 'number' ? String(value) : value.trim();
  const percent = raw.endsWith('%');
  const text = percent ? raw.slice(0, -1).trim() : raw;
  if (!/^\d+(\.\d+)?$/.test(text)) {
    return {
      error:
        basis === 'attainment'
          ? `expected an attainment such as "125%" or 1.25, got ${JSON.stringify(value)}`
          : `expected a non-negative amount such as "1000", got ${JSON.stringify(value)}`,
    };
  }
  if (basis === 'amount' && percent) {
    return { error: `amount tiers take money bounds such as "1000", not a percentage (${raw})` };
  }
  const scale = percent ? 4 : 6;
  const [whole = '0', fraction = ''] = text.split('.');
  if (fraction.length > scale) {
    return { error: `${JSON.stringify(value)} has more decimal places than the 6 of a fraction kept` };
  }
  const ppm = Number(whole) * 10 ** scale + Number(fraction.padEnd(scale, '0') || '0');
  if (!Number.isSafeInteger(ppm)) return { error: `${JSON.stringify(value)} is too large` };
  return { ppm };
}

/** Cross-reference, ordering and expression checks of a schema-valid plan. */
export function checkPlan(plan: PlanDocument): Problem[] {
  const problems: Problem[] = [];
  const add = (field: string, message: string, value?: string) =>
    problems.push(value === undefined ? { field, message } : { field, value, message });
  const expression = (source: string | undefined, path: string) => {
    if (source === undefined) return;
    const { problem } = compileExpression(source, path);
    if (problem) problems.push(problem);
  };

  // Dates.
  checkDay(plan.effective_from, 'effective_from', add);
  if (plan.effective_to !== undefined) {
    checkDay(plan.effective_to, 'effective_to', add);
    if (plan.effective_to <= plan.effective_from)
      add('effective_to', `must be after effective_from (${plan.effective_from}); it is exclusive`);
  }
  expression(plan.eligible, 'eligible');

  // Crediting.
  const creditIds = new Set<string>();
  plan.credit.types.forEach((type, i) => {
    if (creditIds.has(type.id)) add(`credit.types[${i}].id`, `duplicate credit type "${type.id}"`);
    creditIds.add(type.id);
    expression(type.when, `credit.types[${i}].when`);
  });
  const rules = plan.credit.rules;
  rules.forEach((rule, i) => {
    if (rules.indexOf(rule) !== i) add(`credit.rules[${i}]`, `"${rule}" is listed twice`);
  });
  if (rules.includes('rollup') && plan.credit.rollup_levels < 1)
    add('credit.rollup_levels', 'rules include rollup: set rollup_levels to 1 or more');
  if (!rules.includes('rollup') && plan.credit.rollup_levels > 0)
    add('credit.rollup_levels', 'rollup_levels is set but rules do not include rollup');
  if (!rules.includes('owner') && !rules.includes('splits') && !rules.includes('territory'))
    add('credit.rules', 'no rule credits anyone: include owner, splits or territory');
  const creditRef = (id: string | undefined, path: string) => {
    if (id !== undefined && !creditIds.has(id))
      add(path, `no credit type "${id}" (credit types: ${[...creditIds].join(', ')})`, id);
  };

  // Measures.
  const measures = new Map<string, PlanDocument['measures'][number]>();
  plan.measures.forEach((measure, i) => {
    if (measures.has(measure.id)) add(`measures[${i}].id`, `duplicate measure "${measure.id}"`);
    measures.set(measure.id, measure);
    creditRef(measure.credit, `measures[${i}].credit`);
    if (measure.window === 'month_to_date' && plan.period === 'quarter')
      add(`measures[${i}].window`, 'month_to_date needs a monthly plan (period: month)');
  });
  const measureRef = (id: string | undefined, path: string, needsQuota: boolean, why: string) => {
    if (id === undefined) return;
    const measure = measures.get(id);
    if (!measure) {
      add(
        path,
        `no measure "${id}"${measures.size ? ` (measures: ${[...measures.keys()].join(', ')})` : ' (the plan has no measures)'}`,
        id,
      );
    } else if (needsQuota && measure.quota === undefined) {
      add(path, `${why} needs a measure with a quota; "${id}" has none`, id);
    }
  };

  // Components.
  const componentIds = new Set<string>();
  plan.components.forEach((component, i) => {
    const at = `components[${i}]`;
    if (componentIds.has(component.id)) add(`${at}.id`, `duplicate component "${component.id}"`);
    componentIds.add(component.id);
    creditRef(component.credit, `${at}.credit`);
    expression(component.when, `${at}.when`);
    component.multipliers.forEach((m, j) => {
      const mAt = `${at}.multipliers[${j}]`;
      expression(m.when, `${mAt}.when`);
      const onAttainment = m.attainment_above !== undefined || m.attainment_below !== undefined;
      if (onAttainment && m.measure === undefined)
        add(`${mAt}.measure`, 'an attainment multiplier names the measure whose attainment it reads');
      if (!onAttainment && m.measure !== undefined)
        add(`${mAt}.measure`, 'a measure is read only with attainment_above or attainment_below');
      if (m.attainment_above !== undefined && m.attainment_below !== undefined)
        add(mAt, 'give attainment_above or attainment_below, not both (use two multipliers)');
      measureRef(m.measure, `${mAt}.measure`, onAttainment, 'an attainment multiplier');
    });
    if (component.threshold)
      measureRef(component.threshold.measure, `${at}.threshold.measure`, true, 'a threshold');
    if (component.gate) measureRef(component.gate.measure, `${at}.gate.measure`, true, 'a gate');
    if (component.cap) {
      for (const key of ['per_deal', 'per_period', 'per_year'] as const) {
        const value = component.cap[key];
        if (value !== undefined && value.startsWith('-')) add(`${at}.cap.${key}`, 'a cap cannot be negative');
      }
    }
    if (component.gate?.cap.startsWith('-')) add(`${at}.gate.cap`, 'a cap cannot be negative');
    checkComponent(component, at, plan, add, measureRef, expression);
  });

  // Ledger.
  if (plan.draw) {
    if (plan.draw.amount.startsWith('-')) add('draw.amount', 'a draw cannot be negative');
    if (plan.draw.until !== undefined) {
      checkDay(plan.draw.until, 'draw.until', add);
      if (plan.draw.until < plan.effective_from)
        add('draw.until', `is before the plan's effective_from (${plan.effective_from})`);
    }
    if (plan.draw.recovery.max_share <= 0 || plan.draw.recovery.max_share > PPM)
      add('draw.recovery.max_share', 'must be more than 0% and at most 100%');
    if (plan.draw.kind === 'non_recoverable' && plan.draw.recovery.start_after_periods > 0)
      add('draw.recovery', 'a non-recoverable draw is never recovered: remove recovery');
  }

  // Tests.
  const testNames = new Set<string>();
  plan.tests.forEach((test, i) => {
    if (testNames.has(test.name)) add(`tests[${i}].name`, `duplicate test name "${test.name}"`);
    testNames.add(test.name);
    test.expect.forEach((e, j) => {
      const eAt = `tests[${i}].expect[${j}]`;
      if ((e.line === undefined) !== (e.amount === undefined))
        add(eAt, 'a line expectation names both `line` and `amount`');
      if (
        e.earnings === undefined &&
        e.payable === undefined &&
        e.balance_carried === undefined &&
        e.line === undefined
      )
        add(eAt, 'expect at least one of earnings, payable, balance_carried, or line + amount');
    });
  });
  return problems;
}

type Add = (field: string, message: string, value?: string) => void;
type MeasureRef = (id: string | undefined, path: string, needsQuota: boolean, why: string) => void;

function checkDay(day: string, field: string, add: Add): void {
  if (parseIsoDate(day) === undefined) add(field, `"${day}" is not a calendar day`, day);
}

function checkComponent(
  component: PlanComponent,
  at: string,
  plan: PlanDocument,
  add: Add,
  measureRef: MeasureRef,
  expression: (source: string | undefined, path: string) => void,
): void {
  switch (component.kind) {
    case 'commission': {
      const ways = [
        component.rate !== undefined ? 'rate' : undefined,
        component.rate_table !== undefined ? 'rate_table' : undefined,
        component.tiers !== undefined ? 'tiers' : undefined,
      ].filter((w) => w !== undefined);
      if (ways.length !== 1)
        add(
          at,
          ways.length === 0
            ? 'a commission pays by one of rate, rate_table or tiers; it has none'
            : `a commission pays by exactly one of rate, rate_table or tiers; it has ${ways.join(' and ')}`,
        );
      if (component.rate_table) {
        expression(component.rate_table.key, `${at}.rate_table.key`);
        if (Object.keys(component.rate_table.rates).length === 0)
          add(`${at}.rate_table.rates`, 'a rate table needs at least one rate');
      }
      if (component.tiers) checkTiers(component.tiers, `${at}.tiers`, add, measureRef, false);
      return;
    }
    case 'bonus': {
      if (component.amount.startsWith('-')) add(`${at}.amount`, 'a bonus amount cannot be negative');
      if (component.basis === 'attainment') {
        if (component.measure === undefined && component.tiers?.measure === undefined)
          add(`${at}.measure`, 'a bonus on attainment names its measure');
        measureRef(component.measure, `${at}.measure`, true, 'a bonus on attainment');
      } else if (component.measure !== undefined) {
        add(`${at}.measure`, 'a bonus on score reads its score from the input, not a measure');
      }
      if (component.tiers) {
        if (component.tiers.method !== 'interpolated')
          add(`${at}.tiers.method`, 'a bonus table is interpolated (points with at and pay)');
        checkTiers(component.tiers, `${at}.tiers`, add, measureRef, true);
      }
      return;
    }
    case 'spiff': {
      const ways = (component.amount_per_deal !== undefined ? 1 : 0) + (component.rate !== undefined ? 1 : 0);
      if (ways !== 1)
        add(
          at,
          ways === 0
            ? 'a SPIFF pays amount_per_deal or rate; it has neither'
            : 'a SPIFF pays amount_per_deal or rate, not both',
        );
      checkDay(component.from, `${at}.from`, add);
      checkDay(component.to, `${at}.to`, add);
      if (component.to < component.from) add(`${at}.to`, `is before from (${component.from})`);
      if (plan.effective_to !== undefined && component.from >= plan.effective_to)
        add(`${at}.from`, `is after the plan ends (effective_to ${plan.effective_to})`);
      return;
    }
  }
}

function checkTiers(tiers: PlanTiers, at: string, add: Add, measureRef: MeasureRef, isBonus: boolean): void {
  if (tiers.basis === 'attainment') {
    if (tiers.measure === undefined) add(`${at}.measure`, 'attainment tiers name the measure they read');
    measureRef(tiers.measure, `${at}.measure`, true, 'attainment tiers');
    if (tiers.scope === 'per_transaction')
      add(`${at}.scope`, 'per_transaction scope bands each deal on its own amount: use basis amount');
  } else {
    measureRef(tiers.measure, `${at}.measure`, false, 'amount tiers');
  }
  if (tiers.method === 'interpolated') {
    let previous: number | undefined;
    tiers.bands.forEach((band, k) => {
      const bAt = `${at}.bands[${k}]`;
      if (band.at === undefined) add(`${bAt}.at`, 'an interpolated point needs `at`');
      if (band.pay === undefined) add(`${bAt}.pay`, 'an interpolated point needs `pay`');
      if (band.rate !== undefined || band.from !== undefined || band.to !== undefined)
        add(bAt, 'interpolated points have `at` and `pay`, not from/to/rate');
      if (band.pay?.startsWith('-')) add(`${bAt}.pay`, 'a payout point cannot be negative');
      if (band.at !== undefined) {
        const value = parseBound(band.at, tiers.basis);
        if (value.error) add(`${bAt}.at`, value.error);
        else if (previous !== undefined && value.ppm! <= previous)
          add(`${bAt}.at`, 'points must be in increasing order of `at`');
        if (value.ppm !== undefined) previous = value.ppm;
      }
    });
    return;
  }
  if (isBonus) return;
  let previousTo: number | undefined = 0;
  tiers.bands.forEach((band, k) => {
    const bAt = `${at}.bands[${k}]`;
    if (band.rate === undefined) add(`${bAt}.rate`, 'a band needs a rate');
    if (band.at !== undefined || band.pay !== undefined)
      add(bAt, '`at` and `pay` belong to interpolated tables (method: interpolated)');
    const from = band.from === undefined ? previousTo : readBound(band.from, `${bAt}.from`);
    const to = band.to === undefined ? undefined : readBound(band.to, `${bAt}.to`);
    if (band.from !== undefined && from !== undefined && previousTo !== undefined && from !== previousTo) {
      add(
        `${bAt}.from`,
        k === 0
          ? 'the first band starts at 0'
          : `bands must be contiguous: this band starts where the previous one ends (${String(tiers.bands[k - 1]?.to)})`,
      );
    }
    if (band.to === undefined && k < tiers.bands.length - 1)
      add(`${bAt}.to`, 'only the last band can be open-ended (no `to`)');
    if (from !== undefined && to !== undefined && to <= from)
      add(
        `${bAt}.to`,
        `must be above the band's start (${band.from ?? String(tiers.bands[k - 1]?.to ?? 0)})`,
      );
    previousTo = to;
  });

  function readBound(value: string | number, path: string): number | undefined {
    const parsed = parseBound(value, tiers.basis);
    if (parsed.error) add(path, parsed.error);
    return parsed.ppm;
  }
}
