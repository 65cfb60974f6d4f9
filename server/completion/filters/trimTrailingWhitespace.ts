// Trailing blank lines and spaces never help ghost text.
import type { Filter } from '../types';

export const trimTrailingWhitespace: Filter = (completion) => completion.replace(/[ \t]*(\n[ \t]*)*$/, '');
