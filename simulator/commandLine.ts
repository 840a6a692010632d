// Commands the project prints for a person to paste into a POSIX shell (sh, bash, zsh): every argument quoted
// so that the shell passes it through unchanged, whatever it holds (`$(…)`, backticks, quotes, spaces).

/** Characters that never need quoting. */
const BARE = /^[A-Za-z0-9_./:=@%+,-]+$/;
/** Characters that keep their meaning inside double quotes (or are history expansion in interactive bash). */
const SPECIAL_IN_DOUBLE_QUOTES = /[$`\\"!]/;

/** One argument, quoted for a POSIX shell: bare when safe, in double quotes when that is enough, else single quotes. */
export function shellQuote(argument: string): string {
  if (BARE.test(argument)) return argument;
  if (!SPECIAL_IN_DOUBLE_QUOTES.test(argument)) return `"${argument}"`;
  return `'${argument.replace(/'/g, `'\\''`)}'`;
}

/** A command line from its arguments, each quoted with shellQuote. */
export function commandLine(...args: string[]): string {
  return args.map(shellQuote).join(" ");
}
