/** The clock port: use cases never read the system clock themselves. */
export type Clock = { now(): string };

export const systemClock: Clock = { now: () => new Date().toISOString() };

/** A clock that stands still (tests): every call answers the same instant. */
export function fixedClock(instant: string): Clock {
  return { now: () => instant };
}
