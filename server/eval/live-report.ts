// Writes a live evaluation's files: report.json, tasks.jsonl, report.md, report.html.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LiveReport } from './live-types';
import { liveMarkdown } from './report-live-md';
import { liveHtml } from './report-live-html';

export function writeLiveReports(dir: string, report: LiveReport): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ['report.json', JSON.stringify(report, null, 2) + '\n'],
    ['tasks.jsonl', report.tasks_detail.map((r) => JSON.stringify(r)).join('\n') + '\n'],
    ['report.md', liveMarkdown(report)],
    ['report.html', liveHtml(report)],
  ];
  return files.map(([name, text]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  });
}
