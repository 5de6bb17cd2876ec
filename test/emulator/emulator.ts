import { type KeyGuard, startKeyGuard } from "./key-guard.js";
import { type MotoServer, startMoto } from "./moto.js";

/** One emulated partition as the tests see it. */
export interface EmulatorSide {
  readonly name: "global" | "china";
  readonly region: string;
  /** Endpoint behind the key guard: only this side's access key gets through. Use this. */
  readonly endpoint: string;
  /** The emulator itself, without the guard (benchmarks, fault proxies that add their own checks). */
  readonly directEndpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** PID of this side's moto process. */
  readonly pid: number;
}

export interface Emulators {
  readonly global: EmulatorSide;
  readonly china: EmulatorSide;
}

/** Static test credentials. Different per side so a mixed-up client is caught by the guard. */
export const sideCredentials = {
  global: { accessKeyId: "AKIDGLOBALTEST000001", secretAccessKey: "globalSecretKeyForTheEmulator0000000001" },
  china: { accessKeyId: "AKIDCHINATEST0000002", secretAccessKey: "chinaSecretKeyForTheEmulator00000000002" },
} as const;

export const sideRegions = { global: "us-east-1", china: "cn-northwest-1" } as const;

export interface RunningEmulators {
  readonly info: Emulators;
  stop(): Promise<void>;
}

async function startSide(
  name: "global" | "china",
): Promise<{ side: EmulatorSide; moto: MotoServer; guard: KeyGuard }> {
  const moto = await startMoto({ name, env: { MOTO_ALLOW_NONEXISTENT_REGION: "true" } });
  const creds = sideCredentials[name];
  try {
    const guard = await startKeyGuard({ name, target: moto.endpoint, accessKeyId: creds.accessKeyId });
    const side: EmulatorSide = {
      name,
      region: sideRegions[name],
      endpoint: guard.endpoint,
      directEndpoint: moto.endpoint,
      accessKeyId: creds.accessKeyId,
      secretAccessKey: creds.secretAccessKey,
      pid: moto.pid,
    };
    return { side, moto, guard };
  } catch (err) {
    await moto.stop();
    throw err;
  }
}

/** Starts the "global" and "china" emulators side by side. */
export async function startEmulators(): Promise<RunningEmulators> {
  const results = await Promise.allSettled([startSide("global"), startSide("china")]);
  const started = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const stopAll = async () => {
    await Promise.all(started.map(async (s) => Promise.all([s.guard.close(), s.moto.stop()])));
  };
  const failed = results.find((r) => r.status === "rejected");
  if (failed) {
    await stopAll();
    throw (failed as PromiseRejectedResult).reason;
  }
  const [g, c] = started as [(typeof started)[number], (typeof started)[number]];
  return { info: { global: g.side, china: c.side }, stop: stopAll };
}
