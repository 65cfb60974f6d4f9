// Progress on the terminal: a \r-updated line on a TTY, else one line per finished strategy (logs
// and CI stay readable). Written to stderr so stdout carries only the table. Used by `eval` (a lane
// per strategy) and `calibrate` (a lane per model).
export class Progress {
  private answered = 0;
  private judged = 0;
  private toJudge = 0;
  private readonly running = new Map<string, number>();
  private lastDraw = 0;
  private readonly started = Date.now();

  constructor(
    private totalRequests: number,
    private readonly tasksPerStrategy: number,
    private readonly out: NodeJS.WriteStream | null = process.stderr,
    private readonly label = 'eval',
  ) {}

  setTotal(requests: number): void {
    this.totalRequests = requests;
  }

  private get tty(): boolean {
    return !!this.out?.isTTY;
  }

  /** A lane starts; `done` of its tasks were answered before (a resumed run). */
  strategyStart(s: string, done = 0): void {
    this.running.set(s, done);
    this.draw();
  }

  answer(s: string): void {
    this.answered++;
    this.running.set(s, (this.running.get(s) ?? 0) + 1);
    this.draw();
  }

  strategyDone(s: string, errors: number): void {
    const answered = this.running.get(s) ?? this.tasksPerStrategy;
    this.running.delete(s);
    if (!this.out) return;
    if (!this.tty) {
      const secs = ((Date.now() - this.started) / 1000).toFixed(0);
      this.out.write(`${this.label}: ${s}: ${answered}/${this.tasksPerStrategy} tasks answered${errors ? `, ${errors} errors` : ''} (${this.answered}/${this.totalRequests} requests, ${secs}s${this.eta()})\n`);
    } else this.draw(true);
  }

  /** ", ETA 42s" from the pace so far; empty before the first answer and after the last. */
  private eta(): string {
    if (!this.answered || this.answered >= this.totalRequests) return '';
    const perRequest = (Date.now() - this.started) / this.answered;
    return `, ETA ${Math.round((perRequest * (this.totalRequests - this.answered)) / 1000)}s`;
  }

  judging(total: number): void {
    this.toJudge = total;
    this.draw(true);
  }

  judged1(): void {
    this.judged++;
    if (!this.tty && this.out && this.toJudge && this.judged === this.toJudge) this.out.write(`eval: hidden tests: ${this.judged}/${this.toJudge} verdicts\n`);
    this.draw();
  }

  message(line: string): void {
    if (!this.out) return;
    if (this.tty) this.out.write('\r\x1b[2K');
    this.out.write(line + '\n');
    this.draw(true);
  }

  done(): void {
    if (this.out && this.tty) this.out.write('\r\x1b[2K');
  }

  private draw(force = false): void {
    if (!this.out || !this.tty) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = 24;
    const done = this.totalRequests ? this.answered / this.totalRequests : 1;
    const bar = '#'.repeat(Math.round(done * width)).padEnd(width, '.');
    const lanes = [...this.running.entries()].map(([s, n]) => `${s} ${n}/${this.tasksPerStrategy}`).join(', ');
    const judged = this.toJudge ? ` | tests ${this.judged}/${this.toJudge}` : '';
    const line = `${this.label} [${bar}] ${this.answered}/${this.totalRequests}${this.eta()}${judged}${lanes ? ` | ${lanes}` : ''}`;
    const cols = this.out.columns ?? 120;
    this.out.write('\r\x1b[2K' + line.slice(0, cols - 1));
  }
}
