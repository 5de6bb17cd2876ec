import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import type { WanProxyOptions, WanProxyStats } from "./wan-proxy.js";

/** A WAN proxy running in its own process (see `proxy-main.ts`). */
export interface WanProxyProcess {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** The proxy's process, so its CPU time can be read from /proc. */
  readonly pid: number;
  stats(): Promise<WanProxyStats>;
  close(): Promise<void>;
}

/**
 * Starts `proxy-main` (`entryPath`: the benchmark's bundle of it, or the source with
 * `execArgv` such as `["--import", "tsx"]`) with `options`; resolves once it listens. The
 * child checks the target as `startWanProxy` does; a failure to start rejects with the
 * child's error output.
 */
export async function startWanProxyProcess(
  entryPath: string,
  options: WanProxyOptions,
  execArgv: string[] = [],
): Promise<WanProxyProcess> {
  const child: ChildProcess = fork(entryPath, [JSON.stringify(options)], {
    execArgv,
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (m: { type?: string; port?: number }) => {
      if (m.type === "ready" && typeof m.port === "number") resolve(m.port);
    });
    child.once("exit", (code) =>
      reject(new Error(`WAN proxy exited ${code} before listening: ${stderr.trim()}`)),
    );
    child.once("error", reject);
  });
  const pid = child.pid as number;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    pid,
    stats: async () => {
      const answer = new Promise<WanProxyStats>((resolve) => {
        const onMessage = (m: { type?: string; stats?: WanProxyStats }) => {
          if (m.type !== "stats" || m.stats === undefined) return;
          child.off("message", onMessage);
          resolve(m.stats);
        };
        child.on("message", onMessage);
      });
      child.send({ type: "stats" });
      return answer;
    },
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.disconnect();
      await exited;
    },
  };
}
