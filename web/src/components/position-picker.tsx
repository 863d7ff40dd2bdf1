import { compApi, type CompPosition } from '../comp-api.ts';
import { SearchPicker, type PickerItem } from './search-picker.tsx';

/** What a position is, in a line: its holder today (or vacant), its key, and the plans it is on. */
export function describePosition(position: CompPosition): string {
  const plans = position.plans.map((p) => p.planId);
  return [
    position.holder ? position.holder.name : 'vacant',
    position.key,
    position.role,
    plans.length > 0 ? `on ${plans.join(', ')}` : 'no plan',
  ].join(' · ');
}

/**
 * Chooses a position by typing part of its title, key or holder's name (the combobox of
 * search-picker.tsx over GET /api/comp/positions).
 */
export function PositionPicker({
  label,
  hint,
  value,
  onChange,
  invalid,
  describedBy,
}: {
  label: string;
  hint?: string;
  value: PickerItem | null;
  onChange: (item: PickerItem | null, position: CompPosition | null) => void;
  invalid?: boolean;
  describedBy?: string;
}) {
  return (
    <SearchPicker<CompPosition>
      label={label}
      hint={hint}
      value={value}
      onChange={onChange}
      invalid={invalid}
      describedBy={describedBy}
      search={async (q) => {
        const page = await compApi.positions({ q, limit: 8 });
        return { items: page.positions, total: page.total };
      }}
      toItem={(position) => ({ id: position.id, name: position.title, detail: describePosition(position) })}
      placeholder="Type a title, position key or holder's name"
      noMatch="No position matches. Positions come with people from the Data page's imports."
      pickedTestId="picked-position"
    />
  );
}
