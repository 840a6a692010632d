// The v1 resource of a stack that migrated its security groups to Cloud Sync (docs/cloud-sync-migration.md): v2 is
// off because the migration turned it off, so the preview does not print the groupWritebackV2 skip warning there;
// a stack that skips v2 still gets it.
import { implementationFor } from "../../../providers/registry";
import { captureProgress, type Lab, newLab, versioned } from "./support";

const provider = implementationFor("GroupWritebackFeature");

let lab: Lab;
let progress: ReturnType<typeof captureProgress>;
beforeEach(async () => {
  lab = await newLab({ m365: 4, m365OptedOut: 1, security: 1, securityEnabled: 0 });
  progress = captureProgress();
});
afterEach(async () => {
  progress.restore();
  await lab.cleanup();
});

const v1 = (extra: object = {}) =>
  versioned({ target: lab.target, version: "v1", writebackOu: lab.ou, requireV2: false, ...extra });
const skipWarnings = () => progress.lines.filter((line) => line.includes("groupWritebackV2 is skip"));

test("migrated to Cloud Sync: no skip warning with v2 off; the same v1 without the migration gets it", async () => {
  expect((await lab.features()).groupWritebackV2).toBe(false);
  await provider.check({ version: "v1", configured: true }, v1({ migratedToCloudSync: true }));
  await provider.check({}, v1({ migratedToCloudSync: true }));
  expect(skipWarnings()).toEqual([]);
  // groupWritebackV2 skip, v2 off: the warning (the filter above can match).
  await provider.check({}, v1());
  expect(skipWarnings()).toEqual([
    expect.stringContaining("group writeback v1 alone writes back EVERY Microsoft 365 group"),
  ]);
});

test("migratedToCloudSync is no change in diff: the same answer with it as without it", async () => {
  const olds = {
    ...(await provider.check({}, v1())).inputs!,
    configured: true,
    containerDn: lab.ou,
    displayNameDn: false,
  };
  const without = await provider.diff!("v1", olds, (await provider.check(olds, v1())).inputs!);
  const withIt = await provider.diff!(
    "v1",
    olds,
    (await provider.check(olds, v1({ migratedToCloudSync: true }))).inputs!,
  );
  expect(without.changes).toBe(false);
  expect(withIt).toEqual(without);
  // A compared key does change the answer (the comparison above can differ).
  const changed = await provider.diff!(
    "v1",
    olds,
    (await provider.check(olds, v1({ dnFormat: "displayName" }))).inputs!,
  );
  expect(changed).not.toEqual(without);
});
