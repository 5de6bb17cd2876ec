import { spawn } from "node:child_process";
import { createWriteStream, existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

export const timeBin = "/usr/bin/time";

/** What one client process cost, as the kernel counted it (GNU time's `-v` report). */
export interface ProcessCost {
  wallSeconds: number;
  userSeconds: number;
  systemSeconds: number;
  /** Peak resident set size of the client process. */
  maxRssBytes: number;
  exitCode: number;
  stdout: string;
  /** The last few KiB of the client's standard error. */
  stderrTail: string;
}

export interface MeasureOptions {
  env: NodeJS.ProcessEnv;
  /** Scratch folder for GNU time's report. */
  workDir: string;
  /** The run is killed after this long. @defaultValue 1800000 (30 min) */
  timeoutMs?: number;
  /** Where the client's whole output goes, both streams (for diagnostics such as `--trace-gc`). */
  outputFile?: string;
  /**
   * For a process that never ends by itself: polled every 250 ms while it runs; once true,
   * the process gets SIGTERM and its wall time ends at that moment.
   */
  stopWhen?: () => Promise<boolean>;
}

/** The processes GNU time started (its one child, the measured command). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function field(report: string, name: string): number {
  const m = new RegExp(`${name}: ([\\d.]+)`).exec(report);
  if (!m) throw new Error(`GNU time report lacks '${name}':\n${report}`);
  return Number(m[1]);
}

/**
 * Runs `command` under GNU time so its CPU time and peak RSS are its own, not the
 * benchmark's (the emulators and the WAN proxy run in other processes).
 */
export async function measure(
  command: string,
  args: string[],
  options: MeasureOptions,
): Promise<ProcessCost> {
  if (!existsSync(timeBin)) throw new Error(`${timeBin} is missing: install GNU time (apt-get install time)`);
  const report = join(options.workDir, `time-${process.pid}-${Date.now()}.txt`);
  const started = process.hrtime.bigint();
  const child = spawn(timeBin, ["-v", "-o", report, command, ...args], {
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderrTail = "";
  const log = options.outputFile === undefined ? undefined : createWriteStream(options.outputFile);
  child.stdout.on("data", (c: Buffer) => {
    log?.write(c);
    stdout += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    log?.write(c);
    stderrTail = (stderrTail + c.toString()).slice(-8000);
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 1_800_000);
  let exited = false;
  let stoppedAt: bigint | undefined;
  const closed = new Promise<number>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      exited = true;
      resolve(code ?? -1);
    });
  });
  const stopWhen = options.stopWhen;
  if (stopWhen) {
    void (async () => {
      while (!exited) {
        await new Promise((r) => setTimeout(r, 250));
        if (exited || !(await stopWhen().catch(() => false))) continue;
        stoppedAt = process.hrtime.bigint();
        for (const pid of childrenOf(child.pid ?? 0)) process.kill(pid, "SIGTERM");
        return;
      }
    })();
  }
  const code = await closed;
  clearTimeout(timer);
  // stopped on purpose: GNU time reports the signal as a failure, the run did not fail
  const exitCode = stoppedAt === undefined ? code : 0;
  const wallSeconds = Number((stoppedAt ?? process.hrtime.bigint()) - started) / 1e9;
  await new Promise<void>((resolve) => (log === undefined ? resolve() : log.end(resolve)));
  const text = existsSync(report) ? readFileSync(report, "utf8") : "";
  rmSync(report, { force: true });
  return {
    wallSeconds,
    userSeconds: field(text, "User time \\(seconds\\)"),
    systemSeconds: field(text, "System time \\(seconds\\)"),
    maxRssBytes: field(text, "Maximum resident set size \\(kbytes\\)") * 1024,
    exitCode,
    stdout,
    stderrTail,
  };
}
