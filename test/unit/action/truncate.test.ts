import { describe, expect, it } from "vitest";
import { commentLimit, fitComment } from "../../../action/src/output/truncate.js";

describe("fitComment", () => {
  it("leaves a body that fits untouched", () => {
    expect(fitComment("short", "see the summary")).toBe("short");
  });

  it("cuts a long body under the limit at a line boundary, with the pointer last", () => {
    const body = Array.from({ length: 5000 }, (_, i) => `| row ${i} | ${"x".repeat(20)} |`).join("\n");
    const out = fitComment(body, "full report in the job summary");
    expect(out.length).toBeLessThanOrEqual(commentLimit);
    expect(out).toMatch(/\| row \d+ \| x{20} \|\n\n_Truncated: full report in the job summary_\n$/);
  });

  it("closes a code fence and folds left open by the cut", () => {
    const body = `<details><summary>s</summary>\n\n\`\`\`mermaid\n${"line\n".repeat(30_000)}\`\`\`\n</details>`;
    const out = fitComment(body, "p", 1000);
    expect(out.length).toBeLessThanOrEqual(1000);
    expect(out).toMatch(/line\n```\n<\/details>\n\n_Truncated: p_\n$/);
  });

  it("counts only the template's folds, not a key quoting one", () => {
    const row = "| `<details>` | new | 1 B |\n";
    const body = `<details><summary>s</summary>\n\n${row.repeat(2000)}\n</details>`;
    const out = fitComment(body, "p", 1000);
    expect(out.match(/^<\/details>/gm)).toHaveLength(1);
    expect(out).toMatch(/\n<\/details>\n\n_Truncated: p_\n$/);
  });
});
