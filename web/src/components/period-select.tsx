import { useId } from 'react';
import type { Period } from '../api.ts';
import { todayIso } from '../format.ts';

/** The quarter a view shows by default: the one containing today, else the latest one begun. */
export function currentPeriod(periods: Period[]): Period | undefined {
  const today = todayIso();
  return (
    periods.find((p) => p.startsOn <= today && p.endsOn >= today) ??
    [...periods].reverse().find((p) => p.startsOn <= today) ??
    periods[periods.length - 1]
  );
}

/** A labelled select of fiscal periods, newest first. */
export function PeriodSelect({
  periods,
  value,
  onChange,
  label = 'Quarter',
}: {
  periods: Period[];
  value: number | undefined;
  onChange: (periodId: number) => void;
  label?: string;
}) {
  const id = useId();
  const today = todayIso();
  return (
    <div className="field field-inline">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value ?? ''} onChange={(event) => onChange(Number(event.target.value))}>
        {[...periods].reverse().map((period) => (
          <option key={period.id} value={period.id}>
            {period.label}
            {period.startsOn <= today && period.endsOn >= today ? ' (current)' : ''}
            {period.status === 'closed' ? ' (closed)' : ''}
          </option>
        ))}
      </select>
    </div>
  );
}
