// dnFormat displayName: the wizard's display-name DN option, declared by the stack and chosen in the wizard,
// names the written-back groups <first 51 characters of the display name>_<last 12 of the objectId>.
import { convergeLab, groupsIn, LAB_OU, labServersForThisFile, labStack, show } from "./support/lab";
import { escapeDnValue } from "../../domain/dn";

jest.setTimeout(5 * 60_000);

const newServer = labServersForThisFile();

test("display-name DNs end to end", async () => {
  const stateFile = newServer([
    "--m365",
    "6",
    "--m365-opted-out",
    "0",
    "--security",
    "0",
    "--security-enabled",
    "0",
  ]);
  const testStack = await labStack("display-names", stateFile, { dnFormat: "displayName" });
  try {
    const firstUp = await convergeLab(testStack, stateFile, ["--display-name-dn"]);
    expect(firstUp).toContain('SELECT "Writeback group Distinguished Name with cloud Display Name"');

    const { groups } = show(stateFile).state.tenant;
    expect(groups.some((g) => g.displayName.trim().length > 51)).toBe(true);
    const expected = groups
      .map(
        (g) =>
          `CN=${escapeDnValue(`${g.displayName.trim().slice(0, 51)}_${g.objectId.slice(-12)}`)},${LAB_OU}`,
      )
      .sort();
    expect(
      groupsIn(stateFile, LAB_OU)
        .map((g) => g.dn)
        .sort(),
    ).toEqual(expected);
    // The seeded names include one longer than 51 characters and ones that need DN escaping.
    expect(expected.some((dn) => dn.includes("\\,"))).toBe(true);
    await testStack.stack.preview({ refresh: true, expectNoChanges: true });
  } finally {
    await testStack.cleanup();
  }
});
