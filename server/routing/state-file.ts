// Learned state on disk: JSON written atomically (temp file in the same folder, fsync, rename,
// then fsync of the folder) so a crash mid-write leaves the previous state, never a torn file.
import * as fs from 'node:fs';
import * as path from 'node:path';

export class StateWriteError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'StateWriteError';
  }
}

export function writeJsonAtomic(file: string, value: unknown): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      // writeSync may write less than asked (a full disk mid-write): loop until all is written.
      const data = Buffer.from(JSON.stringify(value));
      for (let off = 0; off < data.length; ) off += fs.writeSync(fd, data, off, data.length - off);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    // A full disk (ENOSPC), a quota, a read-only state dir: the previous file stays as it was,
    // and no half-written temp file is left to fill the disk further.
    fs.rmSync(tmp, { force: true });
    const err = e as NodeJS.ErrnoException;
    throw new StateWriteError(`cannot save ${file}: ${err.code === 'ENOSPC' ? 'no space left on device' : err.message} (${err.code ?? 'error'}); the previous state is kept`, err.code);
  }
  try {
    const dfd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  }
}

export function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}
