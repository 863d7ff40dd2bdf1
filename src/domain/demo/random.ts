/**
 * Seeded pseudo-random numbers for the demo generator: sfc32 (Chris Doty-Humphrey's Small Fast
 * Chaotic generator, from PractRand), seeded through splitmix32. Written here rather than taken from
 * a package so that the demo stream stays byte-identical across dependency upgrades: the data a
 * benchmark or a screenshot was made from can always be regenerated from its seed.
 */

const twoTo32 = 4_294_967_296;

/** splitmix32 finaliser: spreads a 32-bit state so nearby seeds give unrelated generators. */
function mix32(value: number): number {
  let z = value | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a over a label, so each purpose ("opportunities", "activities", ...) gets its own stream. */
function hashLabel(label: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < label.length; index += 1) {
    hash = Math.imul(hash ^ label.charCodeAt(index), 0x01000193);
  }
  return hash >>> 0;
}

export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | null = null;

  constructor(seed: number, stream: string) {
    const low = seed >>> 0;
    const high = Math.floor(seed / twoTo32) >>> 0;
    const label = hashLabel(stream);
    this.a = mix32(low ^ 0x9e3779b9);
    this.b = mix32(high + 0x6a09e667 + mix32(label));
    this.c = mix32(label ^ 0xbb67ae85 ^ low);
    this.d = 1;
    // sfc32's authors advise discarding the first outputs after seeding (12 or more rounds).
    for (let round = 0; round < 16; round += 1) this.nextUint32();
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / twoTo32;
  }

  /** A float in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }

  /** An index drawn with the given (not necessarily normalised) weights. */
  weightedIndex(weights: readonly number[]): number {
    let total = 0;
    for (const weight of weights) total += weight;
    let remaining = this.next() * total;
    for (let index = 0; index < weights.length; index += 1) {
      remaining -= weights[index] ?? 0;
      if (remaining < 0) return index;
    }
    return weights.length - 1;
  }

  /** A standard normal draw (Marsaglia's polar method; the second value is kept for next time). */
  normal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    let u = 0;
    let v = 0;
    let s = 0;
    do {
      u = this.next() * 2 - 1;
      v = this.next() * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * factor;
    return u * factor;
  }

  /** A log-normal multiplier with median exp(mu); sigma is the spread of its logarithm. */
  logNormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }

  /** A Poisson count: exact (Knuth) for small means, normal approximation for large ones. */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean < 30) {
      const limit = Math.exp(-mean);
      let count = 0;
      let product = this.next();
      while (product > limit) {
        count += 1;
        product *= this.next();
      }
      return count;
    }
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
  }

  /** Shuffles in place (Fisher–Yates) and returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let index = items.length - 1; index > 0; index -= 1) {
      const other = Math.floor(this.next() * (index + 1));
      const held = items[index] as T;
      items[index] = items[other] as T;
      items[other] = held;
    }
    return items;
  }
}

/** A generator for one purpose of one seed: same seed and stream name, same numbers, always. */
export function createRandom(seed: number, stream: string): SeededRandom {
  return new SeededRandom(seed, stream);
}
