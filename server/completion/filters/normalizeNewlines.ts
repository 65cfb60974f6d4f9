// Line ends as the daemon handles them everywhere: `\n`.
import type { Filter } from '../types';

export const normalizeNewlines: Filter = (completion) => completion.replace(/\r\n/g, '\n');
