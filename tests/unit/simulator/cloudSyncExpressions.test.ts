// The mapping expressions the simulated Cloud Sync evaluates, and the forms it refuses.
import {
  compileMapping,
  compileScope,
  evaluate,
  ExpressionError,
  parseExpression,
  type SourceValues,
} from "../../../simulator/cloudSync/expressions";
import { CLOUD_SYNC_DEFAULT_CN as DEFAULT_CN_EXPRESSION } from "../../../domain/cloudSync";

const group: SourceValues = {
  displayName: "  Finance, Legal & Compliance  ",
  objectId: "0b5c1a2e-3f4d-4e6a-9b8c-7d6e5f4a3b2c",
  description: null,
  mailNickname: "FinanceLegal",
  securityEnabled: "True",
  mailEnabled: "False",
};

const run = (expression: string): string | null => evaluate(parseExpression(expression), group);

describe("Cloud Sync mapping expressions", () => {
  it("evaluates Microsoft's default cn: the trimmed name (51 characters at most), _, the last 12 of the objectId", () => {
    expect(run(DEFAULT_CN_EXPRESSION)).toBe("Finance, Legal & Compliance_7d6e5f4a3b2c");
    const long = { ...group, displayName: "x".repeat(60) };
    expect(evaluate(parseExpression(DEFAULT_CN_EXPRESSION), long)).toBe(`${"x".repeat(51)}_7d6e5f4a3b2c`);
  });

  it("evaluates Connect's naming, Join, ToLower/ToUpper, string escapes and Switch with its default", () => {
    expect(run('Append("Group_", [objectId])')).toBe(`Group_${group.objectId}`);
    expect(run('Join("_", [mailNickname], [description], "Contoso")')).toBe("FinanceLegal_Contoso");
    expect(run('ToUpper([mailNickname], "en-US")')).toBe("FINANCELEGAL");
    expect(run('ToLower("A\\"B")')).toBe('a"b');
    const routing =
      'Switch([mailNickname], "OU=Default,DC=c", "Sales", "OU=Sales,DC=c", "FinanceLegal", "OU=Finance,DC=c")';
    expect(run(routing)).toBe("OU=Finance,DC=c");
    expect(evaluate(parseExpression(routing), { ...group, mailNickname: "Other" })).toBe("OU=Default,DC=c");
  });

  it("refuses what it does not model, naming it", () => {
    expect(() => parseExpression('IIF([displayName], "a", "b")')).toThrow(
      "does not model the function IIF()",
    );
    expect(() => parseExpression("[extension_123_GroupDN]")).toThrow(
      "does not model the source attribute [extension_123_GroupDN]",
    );
    expect(() => parseExpression('Append("a")')).toThrow("Append() does not take 1 argument(s)");
    expect(() => parseExpression('Append("a", "b") x')).toThrow("unexpected text after the expression");
    expect(() => compileMapping({ type: "Reference", name: "x" })).toThrow(ExpressionError);
    expect(compileMapping({ type: "Constant", name: "CN=Users,DC=contoso,DC=com" })(group)).toBe(
      "CN=Users,DC=contoso,DC=com",
    );
    expect(compileMapping({ type: "Attribute", name: "DisplayName" })(group)).toBe(group.displayName);
  });

  it("scoping filters: clauses ANDed, groups ORed, operators in the portal's spellings", () => {
    const clause = (operatorName: string, sourceOperandName: string, value?: string) => ({
      operatorName,
      sourceOperandName,
      ...(value !== undefined ? { targetOperand: { values: [value] } } : {}),
    });
    const filter = compileScope({
      groups: [
        { clauses: [clause("IS TRUE", "securityEnabled"), clause("REGEX MATCH", "mailNickname", "^Fin")] },
        { clauses: [clause("EQUALS", "mailNickname", "Sales")] },
      ],
    })!;
    expect(filter(group)).toBe(true);
    expect(filter({ ...group, mailNickname: "Marketing" })).toBe(false);
    expect(filter({ ...group, mailNickname: "Sales", securityEnabled: "False" })).toBe(true);
    expect(compileScope(null)).toBeNull();
    expect(compileScope({ groups: [] })).toBeNull();
    expect(compileScope({ groups: [{ clauses: [clause("is_null", "description")] }] })!(group)).toBe(true);
    expect(() => compileScope({ groups: [{ clauses: [clause("EQUALS", "displayName")] }] })).toThrow(
      "needs targetOperand.values",
    );
  });
});
