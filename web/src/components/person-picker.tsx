import { api, type Person } from '../api.ts';
import { SearchPicker } from './search-picker.tsx';

/** A chosen person: `key` is their person key (people.external_key), which pay routes take. */
export type PickedPerson = { id: number; name: string; detail?: string; key?: string };

function describe(person: Person): string {
  return [person.title, person.team, person.managerName ? `reports to ${person.managerName}` : null]
    .filter(Boolean)
    .join(' · ');
}

/**
 * Chooses a person of the hierarchy by typing part of their name, key or email (an ARIA 1.2
 * combobox: arrows move, Enter picks, Escape closes).
 */
export function PersonPicker({
  label,
  hint,
  value,
  onChange,
  invalid,
  describedBy,
}: {
  label: string;
  hint?: string;
  value: PickedPerson | null;
  onChange: (person: PickedPerson | null) => void;
  invalid?: boolean;
  describedBy?: string;
}) {
  return (
    <SearchPicker<Person>
      label={label}
      hint={hint}
      value={value}
      onChange={(_, person) =>
        onChange(
          person
            ? { id: person.id, key: person.key, name: person.name, detail: describe(person) || person.key }
            : null,
        )
      }
      invalid={invalid}
      describedBy={describedBy}
      search={async (q) => {
        const page = await api.people({ q, limit: 8 });
        return { items: page.people, total: page.total };
      }}
      toItem={(person) => ({ id: person.id, name: person.name, detail: describe(person) || person.key })}
      placeholder="Type a name, key or email"
      noMatch="No person matches. Import people on the Data page first."
      pickedTestId="picked-person"
    />
  );
}
