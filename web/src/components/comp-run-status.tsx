import type { Run } from '../comp-api.ts';
import { formatCount, humanize } from '../format.ts';
import { ProgressBar } from './progress-bar.tsx';

const tones: Record<string, { label: string; tone: string }> = {
  running: { label: 'Running', tone: 'info' },
  succeeded: { label: 'Succeeded', tone: 'success' },
  failed: { label: 'Failed', tone: 'danger' },
};

export function RunStatusBadge({ status }: { status: string }) {
  const badge = tones[status] ?? { label: humanize(status), tone: 'neutral' };
  return (
    <span className={`badge badge-${badge.tone}`} data-testid="run-status">
      {badge.label}
    </span>
  );
}

/** A run's live progress: its phase and how much of it is done. */
export function RunProgress({ run }: { run: Run }) {
  const { done, total, phase } = run.progress ?? { done: 0, total: 0, phase: 'starting' };
  return (
    <div className="comp-run-progress" data-testid="run-progress" data-phase={phase}>
      <div className="comp-run-progress-text">
        <span data-testid="run-phase">{humanize(phase || 'starting')}</span>
        <span className="tabular muted" data-testid="run-count">
          {total > 0 ? `${formatCount(done)} of ${formatCount(total)}` : 'preparing…'}
        </span>
      </div>
      <ProgressBar value={done} max={total} label={`Run progress: ${humanize(phase || 'starting')}`} />
    </div>
  );
}
