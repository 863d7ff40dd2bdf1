/**
 * The dimensions and quotas the metrics engine takes (src/domain/metrics/metric-types.ts), built
 * from the foundation's effective-dated tables. Pure: the rows are arguments, read by
 * load-metric-dimensions.ts.
 *
 * Days are day numbers; every range is half-open [from, to), `to` Infinity while still open.
 */
import { AppError } from '../../domain/errors.ts';
import type { AssignmentRow, QuotaRow } from '../../domain/metrics/metric-types.ts';

export type HolderSpan = { positionId: number; personId: number; from: number; to: number };
export type ReportingSpan = {
  positionId: number;
  parentId: number | null;
  teamId: number | null;
  from: number;
  to: number;
};

/** One assignment piece before overlaps between positions are settled. */
type Piece = AssignmentRow & { heldFrom: number; positionId: number };

function groupBy<T>(rows: readonly T[], key: (row: T) => number): Map<number, T[]> {
  const map = new Map<number, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}

/**
 * Who is a position's holder on each day of [from, to): pieces with the holder's person id, or
 * null where the position is vacant. Overlapping holders (a hand-over recorded with a day in
 * common) resolve to the one who started later.
 */
function holdersDuring(
  holders: readonly HolderSpan[] | undefined,
  from: number,
  to: number,
): { from: number; to: number; personId: number | null }[] {
  const inside = (holders ?? []).filter((h) => h.from < to && h.to > from);
  const cuts = new Set<number>([from, to]);
  for (const h of inside) {
    if (h.from > from) cuts.add(h.from);
    if (h.to < to) cuts.add(h.to);
  }
  const days = [...cuts].sort((a, b) => a - b);
  const out: { from: number; to: number; personId: number | null }[] = [];
  for (let i = 0; i + 1 < days.length; i++) {
    const start = days[i]!;
    const end = days[i + 1]!;
    let holder: HolderSpan | undefined;
    for (const h of inside)
      if (h.from <= start && h.to >= end && (!holder || h.from > holder.from)) holder = h;
    const personId = holder?.personId ?? null;
    const last = out[out.length - 1];
    if (last && last.personId === personId && last.to === start) last.to = end;
    else out.push({ from: start, to: end, personId });
  }
  return out;
}

/**
 * The effective-dated hierarchy as the engine's interval rows: a person's manager on a day is the
 * holder of their position's parent position on that day, their team the reporting line's team,
 * their region that team's region. Someone holding two positions at once is placed by the one
 * they took up last (ties: the lower position id), so the rows of one person never overlap.
 */
export function buildAssignments(
  holders: readonly HolderSpan[],
  reporting: readonly ReportingSpan[],
  regionOfTeam: ReadonlyMap<number, number | null>,
): AssignmentRow[] {
  const holdersByPosition = groupBy(holders, (h) => h.positionId);
  const linesByPosition = groupBy(reporting, (r) => r.positionId);
  const pieces: Piece[] = [];
  for (const holding of holders) {
    for (const line of linesByPosition.get(holding.positionId) ?? []) {
      const from = Math.max(holding.from, line.from);
      const to = Math.min(holding.to, line.to);
      if (to <= from) continue;
      const teamId = line.teamId;
      const regionId = teamId === null ? null : (regionOfTeam.get(teamId) ?? null);
      const managers =
        line.parentId === null
          ? [{ from, to, personId: null }]
          : holdersDuring(holdersByPosition.get(line.parentId), from, to);
      for (const manager of managers)
        pieces.push({
          personId: holding.personId,
          from: manager.from,
          to: manager.to,
          managerId: manager.personId,
          teamId,
          regionId,
          heldFrom: holding.from,
          positionId: holding.positionId,
        });
    }
  }
  const rows: AssignmentRow[] = [];
  for (const [personId, own] of groupBy(pieces, (p) => p.personId)) {
    const cuts = new Set<number>();
    for (const p of own) cuts.add(p.from).add(p.to);
    const days = [...cuts].sort((a, b) => a - b);
    let last: AssignmentRow | undefined;
    for (let i = 0; i + 1 < days.length; i++) {
      const start = days[i]!;
      const end = days[i + 1]!;
      let chosen: Piece | undefined;
      for (const p of own)
        if (
          p.from <= start &&
          p.to >= end &&
          (!chosen ||
            p.heldFrom > chosen.heldFrom ||
            (p.heldFrom === chosen.heldFrom && p.positionId < chosen.positionId))
        )
          chosen = p;
      if (!chosen) {
        last = undefined;
        continue;
      }
      if (
        last &&
        last.to === start &&
        last.managerId === chosen.managerId &&
        last.teamId === chosen.teamId &&
        last.regionId === chosen.regionId
      )
        last.to = end;
      else {
        last = {
          personId,
          from: start,
          to: end,
          managerId: chosen.managerId,
          teamId: chosen.teamId,
          regionId: chosen.regionId,
        };
        rows.push(last);
      }
    }
  }
  return rows.sort((a, b) => a.personId - b.personId || a.from - b.from);
}

/**
 * A decimal text ("40000.0000", numeric(20,4) in major units) in integer minor units of a currency
 * with `digits` decimals, exactly: decimal digits, never a binary float. Digits beyond the minor
 * unit (a target of 100.125 USD) are rounded half to even, the rounding of docs/metrics.md.
 */
export function decimalToMinor(text: string, digits: number): bigint {
  const match = /^(-)?(\d+)(?:\.(\d*))?$/.exec(text.trim());
  if (!match) throw new AppError('internal', `"${text}" is not a decimal number`);
  const [, sign, whole, fraction = ''] = match;
  const kept = fraction.slice(0, digits).padEnd(digits, '0');
  const rest = fraction.slice(digits);
  let minor = BigInt(whole! + kept);
  if (/[1-9]/.test(rest)) {
    const half = rest[0]! > '5' || (rest[0] === '5' && /[1-9]/.test(rest.slice(1)));
    const tie = rest[0] === '5' && !/[1-9]/.test(rest.slice(1));
    if (half || (tie && minor % 2n === 1n)) minor += 1n;
  }
  return sign ? -minor : minor;
}

/** A revenue quota as stored: a position's target for the days [from, to). */
export type QuotaSource = {
  positionId: number;
  from: number;
  to: number;
  /** Major units, exact decimal text. */
  target: string;
  currency: string | null;
};

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/**
 * The quota rows the engine takes, in one currency: each position's quota goes to the people who
 * held the position during its period, split by days exactly as the engine prorates (a holder of
 * days [a, b) of a target T over [s, e) gets floor(T × (b − s) ÷ (e − s)) − floor(T × (a − s) ÷
 * (e − s)), so the pieces add up to T). Days on which the position was vacant carry nobody's quota.
 * Quotas in another currency are left out; a quota with no currency is taken to be in this one.
 */
export function buildQuotaRows(
  quotas: readonly QuotaSource[],
  holders: readonly HolderSpan[],
  currency: string,
  digits: number,
): QuotaRow[] {
  const holdersByPosition = groupBy(holders, (h) => h.positionId);
  const rows: QuotaRow[] = [];
  for (const quota of quotas) {
    if (quota.currency !== null && quota.currency !== currency) continue;
    const target = decimalToMinor(quota.target, digits);
    const length = BigInt(quota.to - quota.from);
    const cumulative = (day: number) => floorDiv(target * BigInt(day - quota.from), length);
    for (const held of holdersDuring(holdersByPosition.get(quota.positionId), quota.from, quota.to)) {
      if (held.personId === null) continue;
      const targetMinor = cumulative(held.to) - cumulative(held.from);
      if (targetMinor > BigInt(Number.MAX_SAFE_INTEGER) || targetMinor < -BigInt(Number.MAX_SAFE_INTEGER))
        throw new AppError('internal', `A quota of position ${quota.positionId} exceeds 2^53 minor units`);
      rows.push({ personId: held.personId, from: held.from, to: held.to, targetMinor: Number(targetMinor) });
    }
  }
  return rows;
}
