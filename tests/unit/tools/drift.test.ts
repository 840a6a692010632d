import { classifyPreview, describeUrn, type StackDriftResult } from "../../../tools/drift/classify";
import { renderJson, renderJunit, renderTable } from "../../../tools/drift/render";

const urn = (type: string, name: string) =>
  `urn:pulumi:lab::entra-writeback::entra-writeback:index:GroupWriteback$pulumi-nodejs:dynamic/entra-writeback:${type}::${name}`;

const preview = (steps: { op: string; urn: string }[]) => JSON.stringify({ steps, diagnostics: [] });

test("describeUrn names the last type of the chain and the resource", () => {
  expect(describeUrn(urn("SchedulerState", "group-writeback-scheduler"))).toEqual({
    type: "SchedulerState",
    name: "group-writeback-scheduler",
  });
});

test("exit 0 is in sync, whatever refresh did", () => {
  const run = {
    exitCode: 0,
    stdout: preview([{ op: "refresh", urn: urn("WritebackOU", "ou") }]),
    stderr: "",
  };
  expect(classifyPreview("lab", run, 1.5)).toEqual({
    stack: "lab",
    status: "in-sync",
    changes: [],
    durationSeconds: 1.5,
  });
});

test("proposed changes under --expect-no-changes are drift, listed per resource", () => {
  const run = {
    exitCode: 255,
    stdout: preview([
      { op: "refresh", urn: urn("SchedulerState", "group-writeback-scheduler") },
      { op: "same", urn: urn("WritebackOU", "group-writeback-ou") },
      { op: "update", urn: urn("SchedulerState", "group-writeback-scheduler") },
      { op: "create", urn: urn("WritebackOU", "group-writeback-ou") },
    ]),
    stderr: "error: no changes were expected for preview but changes were proposed",
  };
  expect(classifyPreview("lab", run, 2)).toMatchObject({
    status: "drifted",
    changes: [
      { op: "update", type: "SchedulerState", name: "group-writeback-scheduler" },
      { op: "create", type: "WritebackOU", name: "group-writeback-ou" },
    ],
  });
});

test("anything else is a failure carrying the engine's error", () => {
  const run = {
    exitCode: 255,
    stdout: JSON.stringify({
      steps: [],
      diagnostics: [{ severity: "error", message: "invalid stack configuration: ..." }],
    }),
    stderr: "error: preview failed",
  };
  expect(classifyPreview("prod", run, 1)).toMatchObject({
    status: "failed",
    error: "invalid stack configuration: ...",
  });
  expect(
    classifyPreview("prod", { exitCode: 255, stdout: "", stderr: "error: no stack named 'prod' found" }, 1),
  ).toMatchObject({
    status: "failed",
    error: "error: no stack named 'prod' found",
  });
});

const results: StackDriftResult[] = [
  { stack: "lab", status: "in-sync", changes: [], durationSeconds: 1.2 },
  {
    stack: "staging",
    status: "drifted",
    changes: [{ op: "update", type: "WritebackPermission", name: "perm" }],
    durationSeconds: 2,
  },
  {
    stack: "prod",
    status: "failed",
    changes: [],
    error: "passphrase must be set <here> & \u0001now",
    durationSeconds: 0.5,
  },
];

test("the table has one row per stack", () => {
  expect(renderTable(results).split("\n")).toEqual([
    "STACK    STATUS   CHANGES  DETAILS",
    "lab      in-sync  0",
    "staging  drifted  1        update perm (WritebackPermission)",
    "prod     failed   -        passphrase must be set <here> & \u0001now",
  ]);
});

test("the JSON report has a summary and every result", () => {
  const report = JSON.parse(renderJson(results, new Date("2026-11-23T00:00:00Z")));
  expect(report.summary).toEqual({ stacks: 3, inSync: 1, drifted: 1, failed: 1 });
  expect(report.generatedAt).toBe("2026-11-23T00:00:00.000Z");
  expect(report.results).toHaveLength(3);
});

test("JUnit: drift is a failure, a failed preview an error, and text is escaped", () => {
  const xml = renderJunit(results);
  expect(xml).toContain(
    '<testsuite name="entra-writeback drift" tests="3" failures="1" errors="1" time="3.7">',
  );
  expect(xml).toContain('<testcase classname="entra-writeback.drift" name="lab" time="1.2"/>');
  expect(xml).toContain(
    '<failure message="1 resource(s) drifted">update perm (WritebackPermission)</failure>',
  );
  expect(xml).toContain(
    '<error message="preview failed">passphrase must be set &lt;here&gt; &amp; now</error>',
  );
});

test("a drifted resource names the property, live against declared; output-only values are not drift", () => {
  const run = {
    exitCode: 255,
    stdout: JSON.stringify({
      steps: [
        {
          op: "update",
          urn: urn("WritebackPermission", "group-writeback-permission"),
          oldState: {
            inputs: { scope: "ou", providerVersion: "1" },
            outputs: { scope: "ou", providerVersion: "1", granted: false, rules: [] },
          },
          newState: { inputs: { scope: "ou", providerVersion: "1", __provider: "x" } },
        },
        {
          op: "update",
          urn: urn("SchedulerState", "group-writeback-scheduler"),
          oldState: { outputs: { syncCycleEnabled: false, role: "active", stagingModeEnabled: false } },
          newState: { inputs: { syncCycleEnabled: true, role: "active" } },
        },
        {
          op: "update",
          urn: urn("WritebackOU", "group-writeback-ou"),
          // childCount changed (a group was written back): an output only, never drift.
          oldState: { outputs: { dn: "OU=W,DC=c", childCount: 7, allowNonEmptyDelete: false } },
          newState: { inputs: { dn: "OU=W,DC=c", allowNonEmptyDelete: true } },
        },
        { op: "create", urn: urn("WritebackOU", "gone-ou"), newState: { inputs: { dn: "OU=X,DC=c" } } },
      ],
      diagnostics: [
        { severity: "info", message: "[entra-writeback] GroupWritebackFeature v2: HAZARD: something\n" },
        { severity: "info", message: "[entra-writeback] GroupWritebackFeature v2: HAZARD: something\n" },
        { severity: "info", message: "unrelated" },
      ],
    }),
    stderr: "error: no changes were expected for preview but changes were proposed",
  };
  const result = classifyPreview("lab", run, 1);
  expect(result.properties).toEqual([
    {
      name: "group-writeback-permission",
      type: "WritebackPermission",
      property: "granted",
      live: false,
      declared: true,
    },
    {
      name: "group-writeback-scheduler",
      type: "SchedulerState",
      property: "syncCycleEnabled",
      live: false,
      declared: true,
    },
    {
      name: "group-writeback-ou",
      type: "WritebackOU",
      property: "allowNonEmptyDelete",
      live: false,
      declared: true,
    },
    { name: "gone-ou", type: "WritebackOU", property: "exists", live: false, declared: true },
  ]);
  expect(result.messages).toEqual(["GroupWritebackFeature v2: HAZARD: something"]);

  const table = renderTable([result]);
  expect(table).toContain(
    "update group-writeback-permission (WritebackPermission): granted: live false, declared true; " +
      "update group-writeback-scheduler (SchedulerState): syncCycleEnabled: live false, declared true",
  );
  expect(table).not.toContain("childCount");
  const xml = renderJunit([result]);
  expect(xml).toContain(
    "<system-out>group-writeback-permission (WritebackPermission) granted: live false, declared true\n",
  );
  expect(xml).toContain("GroupWritebackFeature v2: HAZARD: something</system-out>");
  expect(JSON.parse(renderJson([result], new Date())).results[0].properties[0]).toMatchObject({
    property: "granted",
    live: false,
    declared: true,
  });
});
