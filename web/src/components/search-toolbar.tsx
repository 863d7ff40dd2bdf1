import { useEffect, useId, useState, type ReactNode } from 'react';

/**
 * A list's search box with its Search button (Enter submits), and any filters beside it as
 * children. The typed text follows `value` when it changes from outside (the address, a reset).
 */
export function SearchToolbar({
  label,
  searchLabel,
  placeholder,
  value,
  onSearch,
  children,
}: {
  /** The form's accessible name: "Deals". */
  label: string;
  /** The search box's accessible name: "Search deals". */
  searchLabel: string;
  placeholder: string;
  value: string;
  /** The trimmed text, on submit. */
  onSearch: (q: string) => void;
  children?: ReactNode;
}) {
  const searchId = useId();
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  return (
    <form
      className="toolbar"
      role="search"
      aria-label={label}
      onSubmit={(event) => {
        event.preventDefault();
        onSearch(draft.trim());
      }}
    >
      <label htmlFor={searchId} className="visually-hidden">
        {searchLabel}
      </label>
      <input
        id={searchId}
        className="input"
        type="search"
        placeholder={placeholder}
        value={draft}
        onChange={(event) => setDraft(event.target.value)}
      />
      <button type="submit" className="button button-secondary">
        Search
      </button>
      {children}
    </form>
  );
}
