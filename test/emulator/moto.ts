import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Path of the moto server installed by `npm run emulator:setup`. */
export const motoServerBin = join(root, ".venv", "bin", "moto_server");

export interface MotoServer {
  /** A name for logs and error messages ("global", "china", "auth"). */
  readonly name: string;
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** PID of the one process this helper started; teardown kills exactly this. */
  readonly pid: number;
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  name: string;
  /** Extra environment for the server, e.g. INITIAL_NO_AUTH_ACTION_COUNT. */
  env?: Record<string, string>;
  /** How long to wait for the server to answer. @defaultValue 30000 */
  readyTimeoutMs?: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => {
        if (addr && typeof addr === "object") resolvePort(addr.port);
        else reject(new Error("could not allocate a loopback port"));
      });
    });
  });
}

async function waitUntilAnswering(
  endpoint: string,
  child: ChildProcess,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`moto server exited early (${child.exitCode ?? child.signalCode}): ${output()}`);
    }
    try {
      const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto server at ${endpoint} did not answer within ${timeoutMs} ms: ${output()}`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolveStop) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolveStop();
    const force = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(force);
      resolveStop();
    });
    child.kill("SIGTERM");
  });
}

/** The project's fixes to moto's models (see python/longbow_moto_patches.py), after any PYTHONPATH given. */
const patchesDir = join(dirname(fileURLToPath(import.meta.url)), "python");

function pythonPath(env: Record<string, string> | undefined): string {
  const given = env?.PYTHONPATH ?? process.env.PYTHONPATH;
  return [given, patchesDir].filter(Boolean).join(delimiter);
}

/** Starts one moto server on a free loopback port and waits until it answers. */
export async function startMoto(options: StartMotoOptions): Promise<MotoServer> {
  if (!existsSync(motoServerBin)) {
    throw new Error(`${motoServerBin} is missing: run 'npm run emulator:setup' first`);
  }
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  let lastError: unknown;
  // The port is free when picked but may be taken before moto binds it; try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const child = spawn(motoServerBin, ["-H", "127.0.0.1", "-p", String(port)], {
      env: { ...process.env, ...options.env, PYTHONPATH: pythonPath(options.env), PYTHONUNBUFFERED: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      // keep only the tail: moto logs every request here
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    if (child.pid === undefined) throw new Error(`could not start ${motoServerBin}`);
    const pid = child.pid;
    try {
      await waitUntilAnswering(endpoint, child, readyTimeoutMs, () => stderr);
      return { name: options.name, endpoint, port, pid, stop: () => stopProcess(child) };
    } catch (err) {
      lastError = err;
      await stopProcess(child);
    }
  }
  throw new Error(`could not start moto server '${options.name}': ${String(lastError)}`);
}
