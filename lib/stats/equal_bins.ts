/**
 * Counts of samples in equal-width bins from zero, in bounded memory whatever the range: at
 * most {@link MAX_BINS} bins, whose width starts at one microsecond and doubles (neighbours
 * summed in pairs) whenever a sample lies past the last. The counts are exact, the width is
 * between 1/128 and 1/64 of the largest sample, and two tallies merge exactly because every
 * width is the same microsecond times a power of two. This is the shape of an inter-arrival
 * distribution as a histogram draws it; percentiles come from {@link SampleStats}' HDR
 * histogram instead, whose buckets are not of equal width.
 *
 * @module
 */

/** The most bins kept; the samples then fill between half and all of them. */
export const MAX_BINS = 128;

/** The narrowest bin: one microsecond, in milliseconds, the resolution of recorded times. */
export const MIN_WIDTH_MS = 0.001;

/** {@link EqualBins} as plain JSON: the width and the count of each bin from zero. */
export interface BinsJson {
  widthMs: number;
  /** Bin i holds the samples in [i × widthMs, (i + 1) × widthMs); no trailing zeros. */
  counts: number[];
}

/** Equal-width bin counts of non-negative millisecond samples (negative ones count as 0). */
export class EqualBins {
  #widthMs = MIN_WIDTH_MS;
  #counts: number[] = [];

  /** Adds `count` samples of `ms`. */
  add(ms: number, count = 1): void {
    const at = Math.max(0, ms);
    while (at >= MAX_BINS * this.#widthMs) this.#coarsen();
    const i = Math.floor(at / this.#widthMs);
    while (this.#counts.length <= i) this.#counts.push(0);
    this.#counts[i] += count;
  }

  /** Adds every count of `other` (left unchanged); returns this. */
  merge(other: BinsJson): this {
    other.counts.forEach((count, i) => {
      if (count === 0) return;
      // A bin of the narrower tally lies wholly inside one of the wider: its start places it.
      while (other.widthMs > this.#widthMs) this.#coarsen();
      this.add(i * other.widthMs, count);
    });
    return this;
  }

  toJSON(): BinsJson {
    return { widthMs: this.#widthMs, counts: [...this.#counts] };
  }

  static fromJSON(json: BinsJson): EqualBins {
    return new EqualBins().merge(json);
  }

  #coarsen(): void {
    const counts: number[] = [];
    for (let i = 0; i < this.#counts.length; i += 2) {
      counts.push(this.#counts[i] + (this.#counts[i + 1] ?? 0));
    }
    this.#counts = counts;
    this.#widthMs *= 2;
  }
}

/** `bins` with neighbours summed in pairs until at most `most` bins hold them all. */
export function fewerBins(bins: BinsJson, most: number): BinsJson {
  let { widthMs, counts } = bins;
  while (counts.length > Math.max(1, most)) {
    counts = counts.flatMap((count, i) => i % 2 === 1 ? [] : [count + (counts[i + 1] ?? 0)]);
    widthMs *= 2;
  }
  return { widthMs, counts };
}
