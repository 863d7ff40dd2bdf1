import { sql, type RawBuilder } from 'kysely';
import type { Scope } from '../domain/access/scope.ts';

const farPast = -2_147_483_648;
const farFuture = 2_147_483_647;

function bound(day: number): number {
  return day === -Infinity ? farPast : day === Infinity ? farFuture : day;
}

/**
 * The data scope as one SQL predicate over bound array parameters: true when the person owning a
 * row was visible on the row's day. `personColumn` and `dayExpression` are SQL the caller writes
 * (never user input); the scope's people and days travel as parameters, never as SQL text.
 */
export function personDayInScope(
  scope: Scope,
  personColumn: RawBuilder<unknown>,
  dayExpression: RawBuilder<unknown>,
) {
  if (scope.kind === 'all') return sql<boolean>`true`;
  const persons: number[] = [];
  const froms: number[] = [];
  const tos: number[] = [];
  for (const [person, intervals] of scope.people)
    for (const interval of intervals) {
      persons.push(person);
      froms.push(bound(interval.from));
      tos.push(bound(interval.to));
    }
  return sql<boolean>`EXISTS (SELECT 1 FROM unnest(${persons}::bigint[], ${froms}::int[], ${tos}::int[]) AS s(p, f, t)
    WHERE s.p = ${personColumn} AND ${dayExpression} >= s.f AND ${dayExpression} < s.t)`;
}

/** True when a position's record for the days [from, to) overlaps the days it is visible. */
export function positionPeriodInScope(
  scope: Scope,
  positionColumn: RawBuilder<unknown>,
  fromDay: RawBuilder<unknown>,
  toDay: RawBuilder<unknown>,
) {
  if (scope.kind === 'all') return sql<boolean>`true`;
  const positions: number[] = [];
  const froms: number[] = [];
  const tos: number[] = [];
  for (const [position, intervals] of scope.positions)
    for (const interval of intervals) {
      positions.push(position);
      froms.push(bound(interval.from));
      tos.push(bound(interval.to));
    }
  return sql<boolean>`EXISTS (SELECT 1 FROM unnest(${positions}::bigint[], ${froms}::int[], ${tos}::int[]) AS s(p, f, t)
    WHERE s.p = ${positionColumn} AND ${fromDay} < s.t AND ${toDay} > s.f)`;
}

/** A date column as a day number (days since 1970-01-01), the engines' unit. */
export function dayOf(dateExpression: RawBuilder<unknown>) {
  return sql<number>`(${dateExpression} - DATE '1970-01-01')`;
}
