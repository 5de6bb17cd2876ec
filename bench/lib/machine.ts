import { execFileSync } from "node:child_process";
import { cpus, freemem, loadavg, totalmem } from "node:os";

/** The facts a reader needs to weigh a result: what machine, how busy, which versions. */
export interface MachineInfo {
  date: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  freeMemoryGiB: number;
  /** 1, 5 and 15 minute load averages when the facts were taken. */
  loadAverage: [number, number, number];
  node: string;
  rclone: string;
  moto: string;
}

function firstLine(cmd: string, args: string[]): string {
  try {
    return (
      execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
        .split("\n")[0]
        ?.trim() ?? ""
    );
  } catch {
    return "(not found)";
  }
}

export function machineInfo(motoPython: string): MachineInfo {
  const [l1 = 0, l5 = 0, l15 = 0] = loadavg();
  return {
    date: new Date().toISOString(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / 1024 ** 3) * 10) / 10,
    loadAverage: [l1, l5, l15].map((x) => Math.round(x * 100) / 100) as [number, number, number],
    node: process.version,
    rclone: firstLine("rclone", ["version"]),
    moto: firstLine(motoPython, ["-c", "import moto; print('moto ' + moto.__version__)"]),
  };
}

/** One line for a results table's caption. */
export function describeMachine(m: MachineInfo): string {
  return `${m.date}; ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB RAM (${m.freeMemoryGiB} free); load average ${m.loadAverage.join(" / ")}; node ${m.node}; ${m.rclone}; ${m.moto}`;
}
