import type { ImportRecordStatus } from '../api.ts';

const badges: Record<ImportRecordStatus, { label: string; tone: string }> = {
  running: { label: 'Running', tone: 'info' },
  succeeded: { label: 'Imported', tone: 'success' },
  rejected: { label: 'Rejected', tone: 'danger' },
  dry_run: { label: 'Dry run', tone: 'neutral' },
  failed: { label: 'Failed', tone: 'danger' },
  interrupted: { label: 'Interrupted', tone: 'warning' },
};

export function StatusBadge({ status }: { status: ImportRecordStatus }) {
  const badge = badges[status] ?? { label: status, tone: 'neutral' };
  return <span className={`badge badge-${badge.tone}`}>{badge.label}</span>;
}
