import { beforeEach, describe, expect, it, vi } from "vitest";

// @actions/core fixtures: run() talks to the runner only through these.
const core = vi.hoisted(() => ({
  getInput: vi.fn<(name: string) => string>(),
  setFailed: vi.fn<(message: string | Error) => void>(),
  setOutput: vi.fn(),
  info: vi.fn(),
  warning: vi.fn(),
  notice: vi.fn(),
  error: vi.fn(),
}));
vi.mock("@actions/core", () => core);

const { run } = await import("../../../action/src/main.js");

describe("run()", () => {
  beforeEach(() => vi.clearAllMocks());

  it("fails the step with a message naming the bad input", async () => {
    core.getInput.mockImplementation((name) => (name === "command" ? "sync" : ""));
    await run({});
    expect(core.setFailed).toHaveBeenCalledWith(
      "input command must be one of validate, plan, publish, send, report, got 'sync'",
    );
  });

  it("fails the step when a command's required input is missing", async () => {
    core.getInput.mockImplementation(
      (name) => ({ command: "report", "migrations-path": "migrations" })[name] ?? "",
    );
    await run({ GITHUB_WORKSPACE: process.cwd() });
    expect(core.setFailed).toHaveBeenCalledWith("input table-name is required for command report");
  });
});
