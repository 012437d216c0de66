/**
 * Tests of the mean's 95% confidence interval against `scipy.stats.t` (scipy 1.17).
 *
 * @module
 */

import assert from "node:assert/strict";
import { meanInterval, tQuantile975 } from "../../lib/stats/mean_interval.ts";

function near(got: number, want: number, tolerance: number, what: string) {
  assert.ok(Math.abs(got - want) <= tolerance, `${what}: ${got}, expected ${want}`);
}

Deno.test("meanInterval() gives the t interval scipy gives", () => {
  for (const [df, t] of [[1, 12.7062], [9, 2.2622], [29, 2.0452], [40, 2.021075390306273]]) {
    near(tQuantile975(df), t, 1e-4, `t(${df})`);
  }
  const m = meanInterval([10, 12, 9, 11, 13]);
  assert.equal(m.mean, 11);
  near(m.sd, Math.sqrt(2.5), 1e-12, "sd");
  near(m.high - m.mean, 2.7764 * Math.sqrt(2.5) / Math.sqrt(5), 1e-9, "half width");
  near(m.cv, Math.sqrt(2.5) / 11, 1e-12, "cv");
  assert.ok(Number.isNaN(meanInterval([3]).low));
});
