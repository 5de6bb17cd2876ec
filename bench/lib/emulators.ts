import { mkdirSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Emulators, startEmulators } from "../../test/emulator/emulator.js";
import { RequestLog } from "./request-log.js";

const here = dirname(fileURLToPath(import.meta.url));

export interface BenchEmulatorOptions {
  /** Folder for the emulators' request logs. */
  workDir: string;
  /**
   * Serve ranged GETs by reading only the range (real S3's behaviour) instead of moto's
   * whole-object read per range; see bench/emulator/sitecustomize.py. @defaultValue true
   */
  rangedReads?: boolean;
  /**
   * Keep HTTP/1.1 connections open as real S3 does, instead of werkzeug's close after
   * every response; see bench/emulator/sitecustomize.py. @defaultValue true
   */
  keepAlive?: boolean;
  /**
   * Complete a multipart upload by reading each part once and keeping the parts' buffers,
   * instead of moto's repeated whole-object copies in one process (about 28 s for 2 GiB); same object, ETag and
   * checksum. See bench/emulator/sitecustomize.py. Off unless asked for, so that the rows
   * other benches recorded before it existed stay comparable; bench/fanout.ts asks.
   * @defaultValue false
   */
  streamedCompletion?: boolean;
}

export interface BenchEmulators {
  readonly info: Emulators;
  readonly requests: RequestLog;
  stop(): Promise<void>;
}

/**
 * The test harness's two emulators, started with the benchmark's additions loaded
 * (request log, range reads, keep-alive, streamed completion). They inherit this process's environment, so the variables
 * are set only while they start and restored afterwards.
 */
export async function startBenchEmulators(options: BenchEmulatorOptions): Promise<BenchEmulators> {
  const logDir = join(options.workDir, "requests");
  mkdirSync(logDir, { recursive: true });
  const added: Record<string, string> = {
    PYTHONPATH: [join(here, "..", "emulator"), process.env.PYTHONPATH].filter(Boolean).join(delimiter),
    LONGBOW_BENCH_REQUEST_LOG_DIR: logDir,
    LONGBOW_BENCH_RANGED_READS: (options.rangedReads ?? true) ? "1" : "0",
    LONGBOW_BENCH_KEEP_ALIVE: (options.keepAlive ?? true) ? "1" : "0",
    LONGBOW_BENCH_STREAMED_COMPLETE: options.streamedCompletion === true ? "1" : "0",
  };
  const saved = Object.fromEntries(Object.keys(added).map((k) => [k, process.env[k]]));
  Object.assign(process.env, added);
  try {
    const running = await startEmulators();
    const requests = new RequestLog(logDir, {
      global: running.info.global.pid,
      china: running.info.china.pid,
    });
    return { info: running.info, requests, stop: running.stop };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
