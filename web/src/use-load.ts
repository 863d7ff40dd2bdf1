import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';
import { toProblem, type Problem } from './api.ts';

export type Loaded<T> = {
  data: T | null;
  problem: Problem | null;
  loading: boolean;
  /** Loads again (after a change), keeping the current data on screen meanwhile. */
  reload: () => void;
  /** Replaces the data in place (after a change the server answered with). */
  setData: (update: (current: T | null) => T | null) => void;
};

/**
 * Loads with `load` whenever `deps` change; an answer that arrives after newer deps is dropped, so
 * a slow page never overwrites a newer one.
 */
export function useLoad<T>(load: () => Promise<T>, deps: DependencyList): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [loading, setLoading] = useState(true);
  const [version, setVersion] = useState(0);
  const latest = useRef(0);

  useEffect(() => {
    const ticket = ++latest.current;
    setLoading(true);
    load().then(
      (value) => {
        if (ticket !== latest.current) return;
        setData(value);
        setProblem(null);
        setLoading(false);
      },
      (error: unknown) => {
        if (ticket !== latest.current) return;
        setProblem(toProblem(error));
        setLoading(false);
      },
    );
    // `load` is a fresh closure each render; `deps` say when it means something new.
  }, [...deps, version]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  const update = useCallback((fn: (current: T | null) => T | null) => setData(fn), []);
  return { data, problem, loading, reload, setData: update };
}
