import { useCallback, useEffect, useState } from 'react';
import { api, toProblem, type EntityCounts, type Problem } from './api.ts';

export type CountsState = {
  counts: EntityCounts | null;
  problem: Problem | null;
  loading: boolean;
  reload: () => Promise<void>;
};

/**
 * Record counts per entity, shared by the Data page and the empty states of the other areas; only
 * asked for when the user may import (the counts are part of the data:import permission).
 */
export function useCounts(enabled = true): CountsState {
  const [counts, setCounts] = useState<EntityCounts | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [loading, setLoading] = useState(enabled);

  const reload = useCallback(async () => {
    if (!enabled) return;
    setLoading(true);
    try {
      setCounts(await api.counts());
      setProblem(null);
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setLoading(false);
    }
  }, [enabled]);

  useEffect(() => {
    void reload();
  }, [reload]);

  return { counts, problem, loading, reload };
}
