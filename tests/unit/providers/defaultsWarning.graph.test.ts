// The no-defaults warning counted in Microsoft Graph, and bounded when Graph cannot be reached: one retry and a
// deadline, then the warning says the count failed and why (docs/defaults.md). The count on the Connect server is
// tests/unit/providers/defaultsWarning.test.ts; the end-to-end proof, tests/e2e/defaults.test.ts.
import { armGraphFault } from "../../../simulator/graph";
import { closeClients } from "../../../providers/common/connection";
import {
  GRAPH_COUNT_DEADLINE_MS,
  GRAPH_COUNT_RETRY,
  withinDeadline,
} from "../../../providers/groupWritebackFeature/defaultsWarning";
import { implementationFor } from "../../../providers/registry";
import { configureProvidersFor, graphEntries, newGraphSim, type GraphSim } from "../graph/support";
import { captureProgress, type Lab, newLab, versioned } from "./support";

const provider = implementationFor("GroupWritebackFeature");

let lab: Lab;
let g: GraphSim;
let progress: ReturnType<typeof captureProgress>;
beforeEach(async () => {
  lab = await newLab({ m365: 1, m365OptedOut: 0, security: 0, securityEnabled: 0 });
  g = await newGraphSim({ m365: 5, m365OptedOut: 2, security: 1, securityEnabled: 0 });
  configureProvidersFor(g);
  progress = captureProgress();
});
afterEach(async () => {
  progress.restore();
  await closeClients();
  await g.cleanup();
  await lab.cleanup();
});

const v1 = () =>
  versioned({ target: lab.target, version: "v1", writebackOu: lab.ou, warnWithoutDefaults: true });
const warnings = () => progress.lines.filter((line) => line.includes("NO DEFAULTS DECLARED"));
const listStatuses = () =>
  graphEntries(g)
    .filter((entry) => entry.operation === "graph.listGroups")
    .map((entry) => (entry.args as { status: number | string }).status);

test("with Graph configured the count is Graph's", async () => {
  await provider.check({}, v1());
  expect(warnings()).toEqual([
    expect.stringContaining(
      "group writeback will write back 3 of the tenant's 5 existing Microsoft 365 groups (all but the 2 opted out " +
        `of writeback) to Active Directory; counted by Microsoft Graph (tenant ${g.tenantId})`,
    ),
  ]);
});

test("Graph dropping every connection: one retry, a few seconds, and the warning says the count failed and why", async () => {
  await armGraphFault(g.sim.file, { method: "GET", path: "/beta/groups", kind: "drop", times: 20 });
  const started = Date.now();
  await provider.check({}, v1());
  const seconds = (Date.now() - started) / 1000;
  // The Graph client's usual retries (6, backoff doubling from 1 s) would hold this check for about a minute.
  expect(seconds).toBeLessThan(5);
  expect(listStatuses()).toEqual(Array(1 + GRAPH_COUNT_RETRY.maxRetries).fill("dropped"));
  expect(warnings()).toHaveLength(1);
  expect(warnings()[0]).toMatch(
    /NO DEFAULTS DECLARED: group writeback will write back the tenant's existing Microsoft 365 groups that are not opted out; counting them failed \(could not reach Microsoft Graph for GET https:\/\/\S+\/beta\/groups\?.* after 2 attempts: UND_ERR_SOCKET; check graphEndpoint and the network\)\. Microsoft's procedure/,
  );
  // The retry it made was said as it happened.
  expect(progress.lines.join("\n")).toContain(
    "GroupWritebackFeature v1: Microsoft Graph dropped the connection of GET /beta/groups: waiting",
  );
});

test("a count slower than the deadline is given up, saying so", async () => {
  const never = new Promise<number>(() => undefined);
  await expect(withinDeadline(never, 50, "the count in Microsoft Graph")).rejects.toThrow(
    "the count in Microsoft Graph did not finish within 0 s",
  );
  await expect(withinDeadline(Promise.resolve(7), 50, "x")).resolves.toBe(7);
  expect(GRAPH_COUNT_DEADLINE_MS).toBeLessThanOrEqual(15_000);
});
