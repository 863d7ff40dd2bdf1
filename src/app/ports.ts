/** The clock port: use cases never read the system clock themselves. */
export type Clock = { now(): string };

export const systemClock: Clock = { now: () => new Date().toISOString() };

/** A clock that stands still (tests): every call answers the same instant. */
export function fixedClock(instant: string): Clock {
  return { now: () => instant };
}

/** A clock that tests move forward by hand (lockouts, expiries). */
export function movableClock(
  start: string,
): Clock & { advance(ms: number): void; set(instant: string): void } {
  let now = Date.parse(start);
  return {
    now: () => new Date(now).toISOString(),
    advance: (ms) => {
      now += ms;
    },
    set: (instant) => {
      now = Date.parse(instant);
    },
  };
}
