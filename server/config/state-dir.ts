// The daemon's private files: the state dir (ledger, learned state, check cache, whose reports
// quote the user's code) readable by the daemon's user only, and a warning for a shared token file
// that others can read. A state dir or file left wider (an older version, a umask, a copy) is
// tightened at start-up, and the log says so.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** What the daemon writes in its state dir: the ledger (and SQLite's companions), learned state
 * and other JSON files, and their atomic-write temp files. Other files there are not ours to change. */
const STATE_FILE = /^(ledger\.sqlite(-wal|-shm|-journal)?|\.?[^/]*\.json(\..*\.tmp)?)$/;
/** Subdirectories the daemon fills with JSON files of its own. */
const STATE_SUBDIRS = ['check-cache'];

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, '0');

/** Creates `dir` (0700) if needed; makes an existing one 0700 and the daemon's files in it
 * (ledger.sqlite*, *.json, check-cache/ and its files) 0600 / 0700 where they are wider, saying so
 * in `log`. Symbolic links and files of other users are left alone. */
export function ensurePrivateStateDir(dir: string, log: (line: string) => void): void {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const tightened: string[] = [];
  const tighten = (p: string, mode: 0o700 | 0o600, isDir: boolean) => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return;
    }
    if (st.isSymbolicLink() || st.isDirectory() !== isDir || (process.getuid && st.uid !== process.getuid())) return;
    if ((st.mode & 0o077) === 0) return;
    try {
      fs.chmodSync(p, mode);
      tightened.push(`${path.relative(dir, p) || '.'} ${octal(st.mode)}→${octal(mode)}`);
    } catch (e) {
      log(`state dir: cannot make ${p} private (${(e as Error).message}); anyone who can read it sees what it holds`);
    }
  };
  tighten(dir, 0o700, true);
  for (const name of safeList(dir)) {
    const p = path.join(dir, name);
    if (STATE_SUBDIRS.includes(name)) {
      tighten(p, 0o700, true);
      for (const f of safeList(p)) if (f.endsWith('.json') || f.endsWith('.tmp')) tighten(path.join(p, f), 0o600, false);
    } else if (STATE_FILE.test(name)) tighten(p, 0o600, false);
  }
  if (tightened.length) {
    const shown = tightened.slice(0, 5).join(', ') + (tightened.length > 5 ? `, and ${tightened.length - 5} more` : '');
    log(`state dir ${dir}: was readable by others; made private (${shown})`);
  }
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** A warning when the shared token's file is readable by its group or others (it should be
 * `chmod 600`); undefined when it is private or cannot be examined. */
export function tokenFileWarning(file: string): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return undefined;
  }
  if ((st.mode & 0o044) === 0) return undefined;
  const who = [st.mode & 0o040 ? 'its group' : '', st.mode & 0o004 ? 'every user' : ''].filter(Boolean).join(' and ');
  return `warning: the token file ${file} is readable by ${who} (mode ${octal(st.mode)}): whoever reads it can use this daemon; run 'chmod 600 ${file}'`;
}
