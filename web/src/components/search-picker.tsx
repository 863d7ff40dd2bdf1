import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { toProblem, type Problem } from '../api.ts';

/** What a picker shows of the chosen item, and of each match. */
export type PickerItem = { id: number; name: string; detail?: string };

/**
 * Chooses one item from a server search by typing part of it (an ARIA 1.2 combobox: arrows move,
 * Enter picks, Escape closes). Once picked, the item is shown with a "Change" button that brings the
 * search back. The person and position pickers are this with their own search.
 */
export function SearchPicker<T extends { id: number }>({
  label,
  hint,
  value,
  onChange,
  invalid,
  search,
  toItem,
  placeholder,
  noMatch,
  pickedTestId,
  describedBy,
}: {
  label: string;
  hint?: ReactNode;
  value: PickerItem | null;
  onChange: (item: PickerItem | null, found: T | null) => void;
  invalid?: boolean;
  /** The first matches of `q` (undefined: nothing typed yet) and how many match in all. */
  search: (q: string | undefined) => Promise<{ items: T[]; total: number }>;
  toItem: (found: T) => PickerItem;
  placeholder: string;
  /** Said when nothing matches. */
  noMatch: string;
  pickedTestId: string;
  /** The id of an element that describes the field further (its error). */
  describedBy?: string;
}) {
  const id = useId();
  const listId = `${id}-list`;
  const hintId = `${id}-hint`;
  const input = useRef<HTMLInputElement>(null);
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState(false);
  const [results, setResults] = useState<T[]>([]);
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
      search(query.trim() || undefined).then(
        (page) => {
          if (cancelled) return;
          setResults(page.items);
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
    // `search` is a fresh closure each render; the query and the list's opening say when to ask.
  }, [query, open]);

  useEffect(() => {
    if (!value && focusAfterClear.current) {
      focusAfterClear.current = false;
      input.current?.focus();
    }
  }, [value]);

  const pick = (found: T) => {
    onChange(toItem(found), found);
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
        <div className="picked" aria-labelledby={`${id}-label`} data-testid={pickedTestId}>
          <div className="picked-text">
            <span className="picked-name">{value.name}</span>
            {value.detail && <span className="cell-sub">{value.detail}</span>}
          </div>
          <button
            type="button"
            className="button button-ghost button-small"
            onClick={() => {
              focusAfterClear.current = true;
              onChange(null, null);
            }}
          >
            Change<span className="visually-hidden"> {label.toLowerCase()}</span>
          </button>
        </div>
      </div>
    );
  }

  const activeId = open && results[active] ? `${id}-option-${results[active].id}` : undefined;
  const described = [hint ? hintId : null, describedBy ?? null].filter(Boolean).join(' ') || undefined;
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
        aria-describedby={described}
        aria-invalid={invalid || undefined}
        placeholder={placeholder}
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
          {results.map((found, index) => {
            const item = toItem(found);
            return (
              <li
                key={found.id}
                id={`${id}-option-${found.id}`}
                role="option"
                aria-selected={index === active}
                className={`combobox-option${index === active ? ' is-active' : ''}`}
                // mousedown would blur the input (closing the list) before the click lands.
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => pick(found)}
                onMouseMove={() => setActive(index)}
              >
                <span className="picked-name">{item.name}</span>
                {item.detail && <span className="cell-sub">{item.detail}</span>}
              </li>
            );
          })}
        </ul>
        <p className="combobox-status" role="status">
          {problem
            ? `Could not search: ${problem.title}`
            : searching && results.length === 0
              ? 'Searching…'
              : results.length === 0
                ? noMatch
                : total > results.length
                  ? `${results.length} of ${total}: type more to narrow.`
                  : `${results.length} ${results.length === 1 ? 'match' : 'matches'}.`}
        </p>
      </div>
    </div>
  );
}
