/**
 * The HTML page `serve --html FILE` writes: the run's summary, the inter-arrival statistics of
 * connections and of data as a sortable table with their coefficients of variation, each
 * distribution as it is (histogram of counts and empirical CDF, the exponential of the same
 * mean over them), and the per-worker counts.
 *
 * @module
 */

import type { SampleSummary } from "../stats/stats.ts";
import { distributionCharts } from "./distribution_charts.ts";
import { htmlPage, type HtmlPart, objectFacts } from "./html_page.ts";
import type { ServerSummary } from "./server_report.ts";

function statRow(kind: string, s: SampleSummary): (string | number)[] {
  const ms = (x: number) => (Number.isNaN(x) ? "-" : x.toFixed(3));
  const cv = Number.isNaN(s.cv) ? "-" : s.cv.toFixed(2);
  return [
    kind,
    s.count,
    ms(s.mean),
    ms(s.min),
    ms(s.median),
    ms(s.p95),
    ms(s.p99),
    ms(s.max),
    cv,
  ];
}

/** The page of a server run; `command` is `serve` or `task-serve`. */
export function serverHtml(summary: ServerSummary, command: string): Promise<string> {
  const { connectionInterArrival, dataInterArrival, perWorker, ...run } = summary;
  const iso = (ms: number) => new Date(ms).toISOString();
  const charts: HtmlPart[] = [];
  for (
    const [title, what, s] of [
      ["Connection inter-arrival times", "connection gaps", connectionInterArrival],
      ["Data inter-arrival times", "data gaps", dataInterArrival],
    ] as const
  ) {
    const drawn = distributionCharts(title, what, s);
    charts.push(
      ...(drawn.length > 0
        ? drawn.map((chart) => ({ chart }))
        : [{ text: `${title}: fewer than two samples, nothing to draw.` }]),
    );
  }
  return htmlPage({
    title: `socklab ${command}`,
    subtitle: `${summary.mode} (${summary.layout}), ${iso(summary.startedAt)} to ${
      iso(summary.stoppedAt)
    }`,
    sections: [
      {
        heading: "Summary",
        parts: [{
          facts: objectFacts({
            ...run,
            startedAt: iso(summary.startedAt),
            stoppedAt: iso(summary.stoppedAt),
            ranSeconds: ((summary.stoppedAt - summary.startedAt) / 1000).toFixed(3),
          }),
        }],
      },
      {
        heading: "Inter-arrival times",
        parts: [
          {
            table: {
              headers: [
                "kind",
                "count",
                ...["mean", "min", "median", "p95", "p99", "max"].map((h) => `${h} (ms)`),
                "CV",
              ],
              numeric: [false, true, true, true, true, true, true, true, true],
              note: "CV, the coefficient of variation (standard deviation over mean), is " +
                "about 1 for Poisson arrivals (exponential gaps) and 0 for a steady stream.",
              rows: [
                statRow("connection", connectionInterArrival),
                statRow("data", dataInterArrival),
              ],
            },
          },
          ...charts,
          {
            text: "Each histogram counts the gaps in equal-width bins from 0; the line over it " +
              "is what the exponential of the same mean (Poisson arrivals) would put in each " +
              "bin, and the dashed curve under the empirical CDF is that exponential's CDF. " +
              "The log option shows a heavy tail: counts on a log axis, and the share of gaps " +
              "longer than t, where an exponential is a straight line.",
          },
        ],
      },
      {
        heading: "Workers",
        parts: [{
          table: {
            headers: ["worker", "connections", "messages"],
            numeric: [false, true, true],
            rows: Object.entries(perWorker).map(([w, c]) => [w, c.connections, c.messages]),
          },
        }],
      },
    ],
  });
}
