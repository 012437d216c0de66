/**
 * The `--csv` file of the servers: created (and so checked) before the server listens, data
 * rows appended as they arrive in writes of up to 64 KiB (and at least once a second),
 * connection rows at the end in the order the connections opened. A write that fails is
 * reported once and the file is given up: the printed summary never depends on it. Data rows
 * stop at a cap (`--csv-max`): one row per message let 4 MiB of newlines from one peer write
 * 200 MiB. What is dropped is counted for the report; connection rows, one per accepted
 * connection, are always written.
 *
 * @module
 */

import {
  connectionSamplesCsv,
  dataSamplesCsv,
  SAMPLES_CSV_HEADER,
} from "../reports/server_report.ts";
import type { DataSample } from "../server/server_spec.ts";
import { UsageError } from "../cli/flags.ts";
import { osReason } from "../cli/output_file.ts";
import type { ConnectionRecord } from "../server/session.ts";

const FLUSH_BYTES = 64 * 1024;
const FLUSH_INTERVAL_MS = 1000;
const encoder = new TextEncoder();

type Opening = Pick<ConnectionRecord, "peer" | "worker" | "openedAt" | "closedAt">;

/** A `--csv` file being written. */
export class SampleFile {
  #file: Deno.FsFile | undefined;
  #path: string;
  #warn: (message: string) => void;
  #pending: string[] = [];
  #pendingLength = 0;
  #opens: Opening[] = [];
  #failed = false;
  #timer: ReturnType<typeof setInterval>;
  #maxDataBytes: number;
  #dataBytes = 0;
  #dropped = 0;

  private constructor(
    file: Deno.FsFile,
    path: string,
    maxDataBytes: number,
    warn: (message: string) => void,
  ) {
    this.#file = file;
    this.#path = path;
    this.#maxDataBytes = maxDataBytes;
    this.#warn = warn;
    this.#timer = setInterval(() => this.#flush(), FLUSH_INTERVAL_MS);
    // Rows waiting for the next flush must not keep a finished server alive.
    Deno.unrefTimer(this.#timer);
  }

  /**
   * Creates (or empties) `path` and writes the header. A path that cannot be written fails
   * the start with a usage error naming `--csv` and the path; `warn` hears of later failures
   * and of reaching `maxDataBytes` of data rows (0: no cap), and {@link failed} says whether
   * writes failed.
   */
  static open(path: string, maxDataBytes: number, warn: (message: string) => void): SampleFile {
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(path, { write: true, create: true, truncate: true });
    } catch (error) {
      throw new UsageError(
        `Invalid --csv "${path}": cannot write there (${
          osReason(error)
        }); give a file in a writable directory`,
      );
    }
    const samples = new SampleFile(file, path, maxDataBytes, warn);
    samples.#append(SAMPLES_CSV_HEADER);
    return samples;
  }

  /** Whether a write failed, so that samples were lost. */
  get failed(): boolean {
    return this.#failed;
  }

  /** Appends data rows, or counts them once the cap is reached. */
  data(rows: readonly DataSample[]): void {
    if (!this.#file) return;
    if (this.#dropped > 0) {
      this.#dropped += rows.length;
      return;
    }
    const text = dataSamplesCsv(rows);
    // Whole batches, so the file holds every sample up to a moment and none after it.
    if (this.#maxDataBytes > 0 && this.#dataBytes + text.length > this.#maxDataBytes) {
      this.#dropped = rows.length;
      this.#warn(
        `--csv "${this.#path}" reached its cap of ${this.#maxDataBytes} bytes of data rows (--csv-max); later samples are counted, not written`,
      );
      return;
    }
    this.#dataBytes += text.length;
    this.#append(text);
  }

  /** Data samples not written for the cap. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Notes a connection for the connection rows written at the end. */
  connection(record: ConnectionRecord): void {
    if (this.#file) {
      const { peer, worker, openedAt, closedAt } = record;
      this.#opens.push({ peer, worker, openedAt, closedAt });
    }
  }

  /** Writes what is waiting and the connection rows, and closes the file. */
  close(): void {
    clearInterval(this.#timer);
    if (!this.#file) return;
    this.#append(connectionSamplesCsv(this.#opens));
    this.#flush();
    this.#file?.close();
    this.#file = undefined;
  }

  #append(text: string): void {
    this.#pending.push(text);
    this.#pendingLength += text.length;
    if (this.#pendingLength >= FLUSH_BYTES) this.#flush();
  }

  #flush(): void {
    if (!this.#file || this.#pendingLength === 0) return;
    const bytes = encoder.encode(this.#pending.join(""));
    this.#pending = [];
    this.#pendingLength = 0;
    try {
      for (let offset = 0; offset < bytes.length;) {
        offset += this.#file.writeSync(bytes.subarray(offset));
      }
    } catch (error) {
      this.#warn(
        `Writing --csv "${this.#path}" failed (${osReason(error)}); no more samples are written`,
      );
      try {
        this.#file.close();
      } catch { /* already unusable */ }
      this.#file = undefined;
      this.#opens = [];
      this.#failed = true;
    }
  }
}
