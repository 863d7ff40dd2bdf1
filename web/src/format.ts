// Display formatting in one place: counts with thousands separators, sizes, instants.
const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const dateTimeFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short' });

export function formatCount(value: number): string {
  return integerFormat.format(value);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${integerFormat.format(bytes)} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatInstant(iso: string | null): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTimeFormat.format(date);
}

/** "people" → "People", "opportunity_changes" → "Opportunity changes". */
export function humanize(name: string): string {
  const words = name.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Line numbers as "3, 7, 12 and 40 more". */
export function formatLines(lines: number[] | undefined, shown = 8): string {
  if (!lines || lines.length === 0) return '—';
  const head = lines.slice(0, shown).join(', ');
  return lines.length > shown ? `${head} and ${lines.length - shown} more` : head;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

/** ["a", "b", "c"] → "a, b and c". */
export function formatList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
