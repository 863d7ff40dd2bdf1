import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { api, toProblem, type Person, type Problem } from '../api.ts';

export type PickedPerson = { id: number; name: string; detail?: string };

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
}: {
  label: string;
  hint?: string;
  value: PickedPerson | null;
  onChange: (person: PickedPerson | null) => void;
  invalid?: boolean;
}) {
  const id = useId();
  const listId = `${id}-list`;
  const hintId = `${id}-hint`;
  const input = useRef<HTMLInputElement>(null);
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState(false);
  const [results, setResults] = useState<Person[]>([]);
  const [total, setTotal] = useState(0);
  const [active, setActive] = useState(0);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [searching, setSearching] = useState(false);
  const focusAfterClear = useRef(false);

  useEffect(() => {
    if (!open) return;
    let cancelled = false;
    setSearching(true);
    const timer = setTimeout(() => {
      api.people({ q: query.trim() || undefined, limit: 8 }).then(
        (page) => {
          if (cancelled) return;
          setResults(page.people);
          setTotal(page.total);
          setActive(0);
          setProblem(null);
          setSearching(false);
        },
        (error: unknown) => {
          if (cancelled) return;
          setProblem(toProblem(error));
          setSearching(false);
        },
      );
    }, 180);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [query, open]);

  useEffect(() => {
    if (!value && focusAfterClear.current) {
      focusAfterClear.current = false;
      input.current?.focus();
    }
  }, [value]);

  const pick = (person: Person) => {
    onChange({ id: person.id, name: person.name, detail: describe(person) });
    setOpen(false);
    setQuery('');
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      if (!open) setOpen(true);
      else setActive((i) => Math.min(i + 1, Math.max(results.length - 1, 0)));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((i) => Math.max(i - 1, 0));
    } else if (event.key === 'Enter') {
      if (open && results[active]) {
        event.preventDefault();
        pick(results[active]);
      }
    } else if (event.key === 'Escape') {
      if (open) {
        event.preventDefault();
        setOpen(false);
      }
    }
  };

  if (value) {
    return (
      <div className="field">
        <span className="field-label" id={`${id}-label`}>
          {label}
        </span>
        <div className="picked" aria-labelledby={`${id}-label`} data-testid="picked-person">
          <div className="picked-text">
            <span className="picked-name">{value.name}</span>
            {value.detail && <span className="cell-sub">{value.detail}</span>}
          </div>
          <button
            type="button"
            className="button button-ghost button-small"
            onClick={() => {
              focusAfterClear.current = true;
              onChange(null);
            }}
          >
            Change<span className="visually-hidden"> {label.toLowerCase()}</span>
          </button>
        </div>
      </div>
    );
  }

  const activeId = open && results[active] ? `${id}-option-${results[active].id}` : undefined;
  return (
    <div className="field combobox">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <span className="field-hint" id={hintId}>
          {hint}
        </span>
      )}
      <input
        ref={input}
        id={id}
        className="input"
        type="text"
        role="combobox"
        autoComplete="off"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={activeId}
        aria-describedby={hint ? hintId : undefined}
        aria-invalid={invalid || undefined}
        placeholder="Type a name, key or email"
        value={query}
        onChange={(event) => {
          setQuery(event.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      <div className="combobox-popup" hidden={!open}>
        <ul id={listId} role="listbox" aria-label={`${label}: matches`} className="combobox-list">
          {results.map((person, index) => (
            <li
              key={person.id}
              id={`${id}-option-${person.id}`}
              role="option"
              aria-selected={index === active}
              className={`combobox-option${index === active ? ' is-active' : ''}`}
              // mousedown would blur the input (closing the list) before the click lands.
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => pick(person)}
              onMouseMove={() => setActive(index)}
            >
              <span className="picked-name">{person.name}</span>
              <span className="cell-sub">{describe(person) || person.key}</span>
            </li>
          ))}
        </ul>
        <p className="combobox-status" role="status">
          {problem
            ? `Could not search: ${problem.title}`
            : searching && results.length === 0
              ? 'Searching…'
              : results.length === 0
                ? 'No person matches. Import people on the Data page first.'
                : total > results.length
                  ? `${results.length} of ${total}: type more to narrow.`
                  : `${results.length} ${results.length === 1 ? 'match' : 'matches'}.`}
        </p>
      </div>
    </div>
  );
}
