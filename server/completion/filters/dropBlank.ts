// A completion of nothing but whitespace is no suggestion.
import type { Filter } from '../types';

export const dropBlank: Filter = (completion) => (completion.trim() ? completion : '');
