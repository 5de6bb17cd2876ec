import { type Logger, silentLogger } from "../log/index.js";
import { sleep } from "../sleep.js";

/** The instance-action document EC2 serves two minutes before reclaiming a Spot instance. */
export interface SpotNotice {
  action: string;
  time?: string;
}

export interface SpotWatcherOptions {
  /** Called once, on the first notice. */
  onNotice: (notice: SpotNotice) => void;
  /** Instance metadata service. @defaultValue "http://169.254.169.254" */
  baseUrl?: string;
  /** @defaultValue 5000 */
  intervalMs?: number;
  /** Per request. @defaultValue 2000 */
  requestTimeoutMs?: number;
  /** @defaultValue silentLogger */
  logger?: Logger;
  /** Waits between checks (tests step it). @defaultValue the engine's sleep */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** A running watcher; `stop()` ends the polling. */
export interface SpotWatcher {
  stop(): void;
}

/**
 * Polls the EC2 instance metadata service (IMDSv2: a session token from PUT
 * /latest/api/token, then GET /latest/meta-data/spot/instance-action, 404 until a notice
 * exists) and reports the first interruption notice, so the worker drains like on SIGTERM.
 */
export function watchSpotInterruption(options: SpotWatcherOptions): SpotWatcher {
  const base = (options.baseUrl ?? "http://169.254.169.254").replace(/\/$/, "");
  const intervalMs = options.intervalMs ?? 5000;
  const timeoutMs = options.requestTimeoutMs ?? 2000;
  const logger = options.logger ?? silentLogger;
  const wait = options.sleep ?? sleep;
  const stopped = new AbortController();
  let token: string | undefined;

  const fetchToken = async () => {
    const res = await fetch(`${base}/latest/api/token`, {
      method: "PUT",
      headers: { "X-aws-ec2-metadata-token-ttl-seconds": "21600" },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) throw new Error(`IMDS token request answered ${res.status}`);
    return res.text();
  };

  const check = async (): Promise<SpotNotice | undefined> => {
    token ??= await fetchToken();
    const res = await fetch(`${base}/latest/meta-data/spot/instance-action`, {
      headers: { "X-aws-ec2-metadata-token": token },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status === 401) {
      token = undefined; // expired session token: take a new one next time
      return undefined;
    }
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`IMDS instance-action answered ${res.status}`);
    return (await res.json()) as SpotNotice;
  };

  const poll = async () => {
    while (!stopped.signal.aborted) {
      try {
        const notice = await check();
        if (notice && !stopped.signal.aborted) {
          stopped.abort();
          logger.warn({ notice }, "spot interruption notice");
          options.onNotice(notice);
          return;
        }
      } catch (err) {
        logger.debug({ err: (err as Error).message }, "spot interruption check failed");
      }
      await wait(intervalMs, stopped.signal).catch(() => {});
    }
  };
  void poll();
  return { stop: () => stopped.abort() };
}
