/**
 * Path globs for the source lists: `*` and `?` stay inside one path segment,
 * `**` spans segments (as a whole segment it may also match no directory at
 * all), `[abc]` / `[!abc]` are character classes and `{x,y}` are alternatives
 * (which may hold globs).
 * Matching is on the whole path, case-sensitive, with `/` separators.
 */
export function globToRegExp(pattern: string): RegExp {
  const parser = new GlobParser(pattern);
  const body = parser.parseSequence(false);
  if (!parser.atEnd()) throw new Error(`glob "${pattern}": unbalanced "}" at offset ${parser.offset}`);
  return new RegExp(`^${body}$`, 'u');
}

/** True when the pattern has glob syntax (so it may match zero or many paths). */
export function hasGlobSyntax(pattern: string): boolean {
  return /[*?[\]{}]/u.test(pattern);
}

class GlobParser {
  offset = 0;

  constructor(private readonly pattern: string) {}

  atEnd(): boolean {
    return this.offset >= this.pattern.length;
  }

  /** Parses until the end, or (inside braces) until an unnested `,` or `}`. */
  parseSequence(inBraces: boolean): string {
    let out = '';
    while (!this.atEnd()) {
      const ch = this.pattern[this.offset];
      if (inBraces && (ch === ',' || ch === '}')) break;
      if (!inBraces && ch === '}') break;
      out += this.parseToken();
    }
    return out;
  }

  private parseToken(): string {
    const p = this.pattern;
    const ch = p[this.offset];
    if (ch === '*') return this.parseStar();
    this.offset += 1;
    if (ch === '?') return '[^/]';
    if (ch === '[') return this.parseClass();
    if (ch === '{') return this.parseAlternatives();
    return escapeRegExp(ch);
  }

  private parseStar(): string {
    const p = this.pattern;
    if (p[this.offset + 1] !== '*') {
      this.offset += 1;
      return '[^/]*';
    }
    this.offset += 2;
    const segmentStart = this.offset - 2 === 0 || p[this.offset - 3] === '/';
    if (segmentStart && p[this.offset] === '/') {
      this.offset += 1;
      return '(?:[^/]+/)*'; // zero or more whole directories
    }
    return '.*';
  }

  private parseClass(): string {
    const p = this.pattern;
    const close = p.indexOf(']', this.offset + 1);
    if (close < 0) throw new Error(`glob "${p}": "[" without "]"`);
    let body = p.slice(this.offset, close);
    this.offset = close + 1;
    let negate = false;
    if (body.startsWith('!') || body.startsWith('^')) {
      negate = true;
      body = body.slice(1);
    }
    const escaped = body.replace(/[\\\]^]/gu, (c) => `\\${c}`);
    return negate ? `[^/${escaped}]` : `[${escaped}]`;
  }

  private parseAlternatives(): string {
    const options: string[] = [];
    for (;;) {
      options.push(this.parseSequence(true));
      const ch = this.pattern[this.offset];
      if (ch === undefined) throw new Error(`glob "${this.pattern}": "{" without "}"`);
      this.offset += 1;
      if (ch === '}') break;
    }
    return `(?:${options.join('|')})`;
  }
}

function escapeRegExp(ch: string): string {
  return /[.*+?^${}()|[\]\\/]/u.test(ch) ? `\\${ch}` : ch;
}
