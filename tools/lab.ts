// npm run lab: the main job. On a fresh machine it sets everything up and runs the lab deployment end to end
// against the simulator: a simulated Entra Connect server with realistic data, pulumi up, the wizard step
// performed in the simulator as an admin would, and the converged result. It leaves the `lab` stack to play
// with, and it can be re-run (each run starts from a fresh simulated server and a fresh stack).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { commandLine } from "../simulator/commandLine";
import { initState, readState, wizardEnableGroupWriteback } from "../simulator";
import { startGraphSimulator, withGraphTenant } from "../simulator/graph";
import { DELETE_RULE_NAME, OUT_TO_AD_MEMBER_LIMIT } from "../domain/groupWritebackRules";
import { ensurePulumiCli, projectRoot, pulumiEnvironment, runPulumi } from "./pulumiCli";
import { freePort, parseLabArguments, portIsFree, portTakenMessage } from "./labGraphPort";

const LAB_STACK = "lab";
const LAB_PASSPHRASE = "entra-writeback-lab";
const STATE_FILE = path.join(".lab", "lab.json");
const WIZARD_PROMPT = /Waiting up to \d+ s for the wizard step/;

const env = { PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? LAB_PASSPHRASE };
const options = { projectDir: projectRoot, env };
let step = 0;
const say = (message: string) => console.log(`\n[lab ${++step}/6] ${message}`);
const note = (message: string) => console.log(`[lab] ${message}`);

const LAB_STACK_FILE = path.join("stacks", `Pulumi.${LAB_STACK}.yaml`);

/** A key of the committed lab stack file (the wizard step and the simulated Graph must match it). */
function labConfigValue(key: string): unknown {
  const stack = parseYaml(fs.readFileSync(path.join(projectRoot, LAB_STACK_FILE), "utf8")) as {
    config?: Record<string, unknown>;
  } | null;
  return stack?.config?.[`entra-writeback:${key}`];
}

/** Reads entra-writeback:writebackOu from the committed lab stack file, so the wizard step matches it. */
function labWritebackOu(): string {
  const ou = labConfigValue("writebackOu");
  if (typeof ou !== "string" || ou === "")
    throw new Error(`${LAB_STACK_FILE} has no entra-writeback:writebackOu`);
  return ou;
}

/** The Graph app and endpoint the committed lab stack file names (entra-writeback:graph). */
function labGraph(): { clientId: string; port: number; trustedCaFile: string } {
  const graph = labConfigValue("graph") as
    { clientId?: string; graphEndpoint?: string; trustedCaFile?: string } | undefined;
  const port = Number(new URL(graph?.graphEndpoint ?? "https://invalid").port);
  if (!graph?.clientId || !graph.trustedCaFile || !port)
    throw new Error(
      `${LAB_STACK_FILE} has no entra-writeback:graph with clientId, graphEndpoint and trustedCaFile`,
    );
  return { clientId: graph.clientId, port, trustedCaFile: graph.trustedCaFile };
}

/** What the declared defaults did, from the simulated tenant and server: the lab summary's lines. */
async function defaultsSummary(stateFile: string): Promise<string[]> {
  const state = await readState(stateFile);
  const tenantDefault = await withGraphTenant(stateFile, (_tx, graph) =>
    graph.directorySettings
      .flatMap((setting) => setting.values)
      .find((value) => value.name === "NewUnifiedGroupWritebackDefault"),
  );
  const m365 = state.tenant.groups.filter((group) => group.type === "m365");
  const optedOut = m365.filter((group) => group.writebackEnabled === false).length;
  const rules = state.servers[0]?.syncRules ?? [];
  const deleteRule = rules.find((rule) => rule.name === DELETE_RULE_NAME);
  const memberLimit = rules.find((rule) => rule.name === OUT_TO_AD_MEMBER_LIMIT);
  return [
    `Tenant default (Group.Unified NewUnifiedGroupWritebackDefault): ${tenantDefault?.value ?? "not set (true)"}` +
      (tenantDefault?.value === "false"
        ? ": new Microsoft 365 groups are not written back unless enabled"
        : ""),
    `Microsoft 365 groups opted out of writeback (isEnabled = false): ${optedOut} of ${m365.length}`,
    `Sync rule "${DELETE_RULE_NAME}": ${deleteRule ? `present, precedence ${deleteRule.precedence}` : "absent"}`,
    `Sync rule "${OUT_TO_AD_MEMBER_LIMIT}": ${memberLimit ? (memberLimit.disabled ? "disabled (groups of up to 250,000 members)" : "enabled") : "absent"}`,
  ];
}

/** The lab stops before it changes anything when the port it would serve Graph on is taken. */
async function requireFreeGraphPort(port: number): Promise<void> {
  if (!(await portIsFree(port))) throw new Error(portTakenMessage(port, await freePort(), LAB_STACK_FILE));
}

async function main(): Promise<void> {
  const { graphPort } = parseLabArguments(process.argv.slice(2));
  say("Pulumi CLI");
  const cli = ensurePulumiCli();
  note(
    `${cli} (${spawnSync(cli, ["version"], { encoding: "utf8", env: pulumiEnvironment(projectRoot) }).stdout.trim()})`,
  );
  await requireFreeGraphPort(graphPort ?? labGraph().port);

  say(`Simulated Entra Connect server in ${STATE_FILE} (fresh)`);
  const summary = await initState(path.join(projectRoot, STATE_FILE), {
    force: true,
    clock: "real",
    syncSeconds: 5,
    m365: 24,
    m365OptedOut: 6,
    security: 8,
    securityEnabled: 3,
  });
  note(
    `${summary.server}, domain ${summary.domain}: ${summary.m365Groups} Microsoft 365 groups ` +
      `(6 opted out of writeback), ${summary.securityGroups} security groups (3 enabled for writeback)`,
  );
  note("group writeback is off: v2 (the tenant flag) and v1 (the wizard) are both still to do");

  say(`Stack "${LAB_STACK}" (local state in .pulumi-state, passphrase ${LAB_PASSPHRASE})`);
  const stacks = await runPulumi(["stack", "ls", "--json"], options);
  const exists =
    stacks.exitCode === 0 &&
    (JSON.parse(stacks.stdout) as { name: string }[]).some((s) => s.name === LAB_STACK);
  if (exists) {
    note("removing the previous lab stack's state (the simulated server it managed was just replaced)");
    const removed = await runPulumi(
      ["stack", "rm", LAB_STACK, "--force", "--yes", "--preserve-config"],
      options,
    );
    if (removed.exitCode !== 0) throw new Error(`pulumi stack rm failed: ${removed.stderr}`);
  }
  const created = await runPulumi(["stack", "init", LAB_STACK, "--secrets-provider", "passphrase"], options);
  if (created.exitCode !== 0) throw new Error(`pulumi stack init failed: ${created.stderr}`);

  if (graphPort !== undefined && graphPort !== labGraph().port) {
    // Where the providers look for Graph: the stack's configuration, so the port goes there.
    for (const key of ["authorityHost", "graphEndpoint"]) {
      const set = await runPulumi(
        [
          "config",
          "set",
          "--path",
          `entra-writeback:graph.${key}`,
          `https://127.0.0.1:${graphPort}`,
          "--stack",
          LAB_STACK,
        ],
        options,
      );
      if (set.exitCode !== 0) throw new Error(`pulumi config set failed: ${set.stderr}`);
    }
    note(
      `Microsoft Graph on port ${graphPort}: written into ${LAB_STACK_FILE} (graph.authorityHost, graph.graphEndpoint)`,
    );
  }

  // The stack's defaults live in Microsoft Graph: the simulated one, for the app the stack file names.
  const graphConfig = labGraph();
  const secret = await runPulumi(
    ["config", "get", "entra-writeback:graphClientSecret", "--stack", LAB_STACK],
    options,
  );
  if (secret.exitCode !== 0) throw new Error(`pulumi config get failed: ${secret.stderr}`);
  await withGraphTenant(path.join(projectRoot, STATE_FILE), (_tx, graph) => {
    const app = graph.apps.find((each) => each.displayName === "entra-writeback");
    if (!app) throw new Error("the simulated tenant has no entra-writeback app");
    app.clientId = graphConfig.clientId;
    app.secret = secret.stdout.trim();
  });
  const graph = await startGraphSimulator({
    stateFile: path.join(projectRoot, STATE_FILE),
    port: graphConfig.port,
  }).catch(async (error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    // Taken since the check at the start.
    throw new Error(portTakenMessage(graphConfig.port, await freePort(), LAB_STACK_FILE));
  });
  fs.writeFileSync(path.join(projectRoot, graphConfig.trustedCaFile), graph.certificatePem);
  note(`simulated Microsoft Graph for the stack's defaults: ${graph.baseUrl} (until the lab ends)`);

  say(
    "pulumi up: tenant default (Graph) -> scheduler -> delete rule (paused window) -> v2 (paused window) -> OU -> " +
      "permission -> v1 (waits for the wizard step) -> member limit rule disabled (paused window)",
  );
  const ou = labWritebackOu();
  let wizard: Promise<unknown> | undefined;
  let transcript = "";
  const up = await runPulumi(["up", "--yes", "--stack", LAB_STACK], {
    ...options,
    echo: true,
    onOutput: (text) => {
      transcript += text;
      if (!wizard && WIZARD_PROMPT.test(transcript)) {
        note(`as the admin, in the wizard: enable Group writeback with the OU ${ou}`);
        note(
          `(on this simulated server: ${commandLine("npx", "entra-sim", "wizard", STATE_FILE, "group-writeback", "--enable", "--ou", ou)})`,
        );
        wizard = wizardEnableGroupWriteback(path.join(projectRoot, STATE_FILE), { ou, client: "lab-admin" });
      }
    },
  });
  await wizard;
  if (up.exitCode !== 0) {
    await graph.stop();
    throw new Error("pulumi up failed (see above)");
  }

  say("The converged result");
  const show = spawnSync(
    path.join(projectRoot, "bin", "entra-sim"),
    ["show", STATE_FILE, "--journal", "12"],
    {
      cwd: projectRoot,
      encoding: "utf8",
    },
  );
  console.log(show.stdout.trim());
  console.log(`\nThe defaults the stack declares (entra-writeback:defaults):`);
  for (const line of await defaultsSummary(path.join(projectRoot, STATE_FILE))) console.log(`  ${line}`);
  await graph.stop();
  const outputs = await runPulumi(["stack", "output", "--json", "--stack", LAB_STACK], options);
  console.log(`\nStack outputs:\n${outputs.stdout.trim()}`);

  say("Play with it");
  console.log(
    [
      `export PULUMI_CONFIG_PASSPHRASE=${LAB_PASSPHRASE}`,
      `${commandLine("npx", "entra-sim", "graph", STATE_FILE, "--port", String(graphConfig.port))} &    # Microsoft Graph again (refresh reads the tenant default)`,
      `npx entra-sim scheduler ${STATE_FILE} --sync-cycle-enabled false    # drift: the scheduler left disabled`,
      `${commandLine("npx", "entra-sim", "ad", STATE_FILE, "revoke", ou, summary.connectorAccountDn)}    # drift: an ACE removed`,
      `npm run pulumi -- preview --refresh --stack ${LAB_STACK}    # see it`,
      `npm run pulumi -- up --refresh --yes --stack ${LAB_STACK}   # repair it`,
      "npm run drift                                              # the drift report across stacks",
      "npm run lab                                                # start over",
    ].join("\n"),
  );
}

main().catch((error: unknown) => {
  console.error(`\n[lab] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
