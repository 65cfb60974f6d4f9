// report.json: the Report object with its keys in a fixed order (the object is built in a fixed
// order and every list is sorted upstream), so the same seed gives the same file byte for byte,
// apart from `timing` (wall-clock figures, kept there on purpose).
import type { Report } from './types';

export function reportJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}

/** Per-task rows, one JSON object a line, for tools that stream. */
export function tasksJsonl(report: Report): string {
  return report.tasks_detail.map((r) => JSON.stringify(r)).join('\n') + '\n';
}
