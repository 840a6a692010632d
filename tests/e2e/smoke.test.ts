// The foundation's proof: a dynamic resource defined in the project goes through the real engine
// (up, preview --refresh --expect-no-changes, destroy), and the provider process runs on Node 24.
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createTestStack, projectRoot, pulumiCliPath, pulumiEnvironment } from "./support/pulumiHarness";
import { NodeRuntimeProbe } from "./support/nodeRuntimeProbe";

jest.setTimeout(5 * 60_000);

const PROBE_TYPE = "pulumi-nodejs:dynamic/entra-writeback:NodeRuntimeProbe";

test("an inline program: up, preview --refresh --expect-no-changes, destroy on Node 24", async () => {
  const testStack = await createTestStack({
    stackName: "smoke",
    program: async () => {
      const probe = new NodeRuntimeProbe("probe", { label: "smoke" });
      return { nodeVersion: probe.nodeVersion, providerPid: probe.providerPid };
    },
  });
  try {
    const up = await testStack.stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.outputs.nodeVersion?.value).toMatch(/^v24\./);
    expect(up.outputs.providerPid?.value).not.toBe(process.pid);

    const state = await testStack.stack.exportStack();
    const probe = (state.deployment.resources as { type: string; outputs?: Record<string, unknown> }[]).find(
      (r) => r.type === PROBE_TYPE,
    );
    const serializedProvider = String(probe?.outputs?.__provider ?? "");
    expect(serializedProvider.length).toBeGreaterThan(0);
    console.log(`serialized provider in state: ${serializedProvider.length} bytes (smoke probe)`);

    const preview = await testStack.stack.preview({ refresh: true, expectNoChanges: true });
    expect(preview.changeSummary.update ?? 0).toBe(0);

    const destroy = await testStack.stack.destroy();
    expect(destroy.summary.result).toBe("succeeded");
    const after = await testStack.stack.exportStack();
    expect(
      (after.deployment.resources ?? []).filter((r: { type: string }) => r.type === PROBE_TYPE),
    ).toHaveLength(0);
  } finally {
    await testStack.cleanup();
  }
});

test("the plain pulumi CLI runs a project program through the project's language host", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-writeback-cli-"));
  try {
    fs.symlinkSync(path.join(projectRoot, "node_modules"), path.join(dir, "node_modules"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: cli-smoke\nruntime: nodejs\n");
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "cli-smoke", main: "index.js" }));
    fs.writeFileSync(
      path.join(dir, "index.js"),
      [
        'const pulumi = require("@pulumi/pulumi");',
        "const provider = {",
        '  async create(inputs) { return { id: "cli-probe", outs: { ...inputs, nodeVersion: process.version } }; },',
        "  async read(id, props) { return { id, props, inputs: { label: props.label } }; },",
        "  async diff(id, olds, news) { return { changes: olds.label !== news.label }; },",
        "};",
        "module.exports = async () => {",
        '  const r = new pulumi.dynamic.Resource(provider, "probe", { label: process.env.PROBE_LABEL || "a", nodeVersion: undefined });',
        "  return { nodeVersion: r.nodeVersion };",
        "};",
      ].join("\n"),
    );
    const stateDir = path.join(dir, "state");
    const env = pulumiEnvironment(stateDir); // the environment and the backend's directory
    fs.mkdirSync(env.PULUMI_HOME!, { recursive: true });
    const pulumi = (args: string[], extraEnv: Record<string, string> = {}) =>
      spawnSync(pulumiCliPath(), [...args, "--non-interactive"], {
        cwd: dir,
        env: { ...env, ...extraEnv },
        encoding: "utf8",
      });

    expect(pulumi(["stack", "init", "dev"]).status).toBe(0);
    const up = pulumi(["up", "--yes"]);
    expect(up.stderr).toBe("");
    expect(up.status).toBe(0);
    const outputs = JSON.parse(
      execFileSync(pulumiCliPath(), ["stack", "output", "--json"], { cwd: dir, env, encoding: "utf8" }),
    );
    expect(outputs.nodeVersion).toMatch(/^v24\./);

    expect(pulumi(["preview", "--refresh", "--expect-no-changes"]).status).toBe(0);
    const changed = pulumi(["preview", "--expect-no-changes"], { PROBE_LABEL: "b" });
    expect(changed.status).not.toBe(0);
    expect(changed.stdout + changed.stderr).toMatch(/no changes were expected/i);

    expect(pulumi(["destroy", "--yes"]).status).toBe(0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
