// The ```sh blocks of a markdown page, with the marker comment in front of each that says whether
// tests run it, and a minimal POSIX word splitter for the commands in the runnable ones. Runnable
// blocks hold plain commands only (no variables, pipes or substitutions), so splitting words is all
// a shell would do with them.

export interface ShellBlock {
  /** 'run' for `<!-- runs against the emulator -->`, 'skip' for `<!-- not run by tests: … -->`. */
  mode: 'run' | 'skip' | 'unmarked';
  /** The reason given after `not run by tests:`. */
  reason?: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** Command lines: comments and blank lines dropped, `\` continuations joined. */
  commands: string[];
}

export function shellBlocks(markdown: string): ShellBlock[] {
  const lines = markdown.split('\n');
  const out: ShellBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```sh') continue;
    let j = i - 1;
    while (j >= 0 && lines[j]!.trim() === '') j--;
    const marker = j >= 0 ? lines[j]!.trim() : '';
    const skip = /^<!-- not run by tests: (.+) -->$/.exec(marker);
    const mode = marker === '<!-- runs against the emulator -->' ? 'run' : skip ? 'skip' : 'unmarked';
    const body: string[] = [];
    let k = i + 1;
    for (; k < lines.length && lines[k]!.trim() !== '```'; k++) body.push(lines[k]!);
    const commands: string[] = [];
    let pending = '';
    for (const raw of body) {
      const l = raw.trim();
      if (!pending && (l === '' || l.startsWith('#'))) continue;
      if (l.endsWith('\\')) {
        pending += l.slice(0, -1) + ' ';
        continue;
      }
      commands.push(pending + l);
      pending = '';
    }
    out.push({ mode, ...(skip ? { reason: skip[1] } : {}), line: i + 1, commands });
    i = k;
  }
  return out;
}

/** Splits a command line into words as sh would: quotes, backslash escapes, `#` comments. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' in: ${line}`);
      cur += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      i++;
      for (; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\' && /["\\$`]/.test(line[i + 1] ?? '')) i++;
        else if (line[i] === '$' || line[i] === '`') throw new Error(`expansion in a runnable command: ${line}`);
        cur += line[i];
      }
      if (i >= line.length) throw new Error(`unterminated " in: ${line}`);
      inWord = true;
    } else if (c === '\\') {
      cur += line[++i] ?? '';
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else if (c === '#' && !inWord) {
      break;
    } else if (/[$`|;&<>()]/.test(c)) {
      throw new Error(`shell syntax "${c}" in a runnable command: ${line}`);
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}
