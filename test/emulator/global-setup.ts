import type { TestProject } from "vitest/node";
import { startEmulators } from "./emulator.js";

/**
 * Vitest global setup for integration tests: starts the two emulator partitions once for
 * the whole run and hands their endpoints and credentials to tests through `inject("emulator")`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const running = await startEmulators();
  const pids = [running.info.global.pid, running.info.china.pid];
  // If the runner dies without calling teardown, still kill exactly the processes we started.
  const killOnExit = () => {
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  process.once("exit", killOnExit);
  project.provide("emulator", running.info);
  return async () => {
    process.removeListener("exit", killOnExit);
    await running.stop();
  };
}
