// Writes the report's files into the out dir: report.json, tasks.jsonl, report.md, report.html.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { reportHtml } from './report-html';
import { reportJson, tasksJsonl } from './report-json';
import { reportMarkdown } from './report-md';
import type { Report } from './types';

export function writeReports(dir: string, report: Report): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ['report.json', reportJson(report)],
    ['tasks.jsonl', tasksJsonl(report)],
    ['report.md', reportMarkdown(report)],
    ['report.html', reportHtml(report)],
  ];
  return files.map(([name, text]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  });
}
