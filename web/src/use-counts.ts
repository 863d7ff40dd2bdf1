import { useCallback, useEffect, useState } from 'react';
import { api, toProblem, type EntityCounts, type Problem } from './api.ts';

export type CountsState = {
  counts: EntityCounts | null;
  problem: Problem | null;
  loading: boolean;
  reload: () => Promise<void>;
};

/** Record counts per entity, shared by the Data page and the empty states of the other areas. */
export function useCounts(): CountsState {
  const [counts, setCounts] = useState<EntityCounts | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [loading, setLoading] = useState(true);

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setCounts(await api.counts());
      setProblem(null);
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  return { counts, problem, loading, reload };
}
