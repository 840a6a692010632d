// Test helper: parses PowerShell with tree-sitter-powershell (wasm, through web-tree-sitter).
// The grammar is a structure check only: it does not know PowerShell's typographic quotes.
import { readFileSync } from "node:fs";
import { Language, type Node, Parser, type Tree } from "web-tree-sitter";

let parser: Parser | undefined;

export async function powershellParser(): Promise<Parser> {
  if (parser === undefined) {
    await Parser.init();
    // Bytes, not a path: loading from a path uses a dynamic import that jest's CommonJS runtime refuses.
    const wasm = readFileSync(require.resolve("tree-sitter-powershell/tree-sitter-powershell.wasm"));
    const language = await Language.load(new Uint8Array(wasm));
    parser = new Parser();
    parser.setLanguage(language);
  }
  return parser;
}

export async function parsePowerShell(text: string): Promise<Tree> {
  const tree = (await powershellParser()).parse(text);
  if (tree === null) throw new Error("tree-sitter returned no tree");
  return tree;
}

/** Every node of the given type, in document order. */
export function nodesOfType(root: Node, type: string): Node[] {
  return root.descendantsOfType(type).filter((node): node is Node => node !== null);
}

/** "line N: text" for each syntax error or missing token. */
export function syntaxProblems(root: Node): string[] {
  const problems: string[] = [];
  const visit = (node: Node) => {
    if (node.type === "ERROR" || node.isMissing) {
      problems.push(`line ${node.startPosition.row + 1}: ${node.text.slice(0, 80)}`);
    }
    for (const child of node.children) if (child !== null) visit(child);
  };
  visit(root);
  return problems;
}
