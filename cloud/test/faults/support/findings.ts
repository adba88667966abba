/** Collects every check of a scenario, so one run reports all problems (and counts for the summary table). */
export class Findings {
  readonly problems: string[] = [];
  checks = 0;
  attacks = 0;

  check(what: string, ok: boolean, detail = ''): void {
    this.checks++;
    if (!ok) this.problems.push(detail ? `${what}: ${detail}` : what);
  }

  /** An attack request's answer: one of `allowed`, with the error shape (and one of `codes` when given). */
  refused(what: string, res: { statusCode: number; body: string }, allowed: number[], codes?: string[]): void {
    this.attacks++;
    let code: unknown;
    try {
      code = (JSON.parse(res.body) as { code?: unknown }).code;
    } catch {
      code = undefined;
    }
    const ok = allowed.includes(res.statusCode) && (!codes || codes.includes(String(code)));
    this.check(what, ok, `answered ${res.statusCode} ${String(code ?? res.body.slice(0, 120))}, want ${allowed.join('/')}${codes ? ` ${codes.join('/')}` : ''}`);
  }
}
