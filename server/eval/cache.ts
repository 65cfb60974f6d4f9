// A content-addressed disk cache for test executions: one small JSON file per key, so a rerun (or
// the same answer reached by another strategy) never executes twice. In-flight work is shared too,
// so two strategies asking for the same verdict at the same moment run it once.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

export class DiskCache<T> {
  private readonly inFlight = new Map<string, Promise<T>>();
  hits = 0;
  misses = 0;

  /** `dir` null keeps everything in memory (nothing written). */
  constructor(private readonly dir: string | null) {}

  private file(key: string): string | null {
    return this.dir ? path.join(this.dir, key.slice(0, 2), `${key}.json`) : null;
  }

  async get(key: string, compute: () => Promise<T>): Promise<T> {
    const pending = this.inFlight.get(key);
    if (pending) {
      this.hits++;
      return pending;
    }
    const file = this.file(key);
    if (file && fs.existsSync(file)) {
      try {
        const value = JSON.parse(fs.readFileSync(file, 'utf8')) as T;
        this.hits++;
        return value;
      } catch {
        // A torn write from an interrupted run: recompute and overwrite.
      }
    }
    this.misses++;
    const p = compute().then((value) => {
      if (file) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        // Write then rename: a crash never leaves a half file that a later run would trust.
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, JSON.stringify(value));
        fs.renameSync(tmp, file);
      }
      return value;
    });
    this.inFlight.set(key, p);
    try {
      return await p;
    } finally {
      this.inFlight.delete(key);
    }
  }
}
