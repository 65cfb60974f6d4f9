// A minimal reader of the Prometheus text exposition format (prom-client only writes it). Enough
// for counters and gauges: `name{label="value",...} value [timestamp]`, comments skipped.
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parsePrometheusText(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const sample = parseLine(line);
    if (sample) out.push(sample);
  }
  return out;
}

function parseLine(line: string): Sample | null {
  const m = /^([A-Za-z_:][A-Za-z0-9_:]*)/.exec(line);
  if (!m) return null;
  const name = m[1];
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === ',') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      const key = /^[A-Za-z_][A-Za-z0-9_]*/.exec(line.slice(i));
      if (!key) return null;
      i += key[0].length;
      while (line[i] === ' ') i++;
      if (line[i] !== '=' || line[i + 1] !== '"') return null;
      i += 2;
      let value = '';
      for (; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\' && i + 1 < line.length) {
          i++;
          value += line[i] === 'n' ? '\n' : line[i];
        } else value += line[i];
      }
      if (line[i] !== '"') return null;
      i++;
      labels[key[0]] = value;
    }
  }
  const rest = line.slice(i).trim().split(/\s+/);
  const value = parseValue(rest[0]);
  return value === null ? null : { name, labels, value };
}

function parseValue(s: string | undefined): number | null {
  if (s === undefined || s === '') return null;
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  const v = Number(s);
  return Number.isNaN(v) && s !== 'NaN' ? null : v;
}
