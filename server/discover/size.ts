// Model sizes as engines write them, in billions of parameters.
import { paramsFromName } from '../config/derive';

/** "7.6B" -> 7.6, "137M" -> 0.137, "8.0B" -> 8 (Ollama's parameter_size); null otherwise. */
export function parseParamSize(text: string | undefined): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMBT])\s*$/i.exec(text ?? '');
  if (!m) return null;
  const scale = { K: 1e-6, M: 1e-3, B: 1, T: 1e3 }[m[2]!.toUpperCase() as 'K' | 'M' | 'B' | 'T'];
  const v = Number(m[1]) * scale;
  return v > 0 ? v : null;
}

/** A parameter count (8030261312) in billions, rounded to 3 significant digits (8.03). */
export function billions(count: number): number {
  return Number((count / 1e9).toPrecision(3));
}

export interface Size {
  paramsB?: number;
  sizeFrom?: 'engine' | 'name';
  sizeText: string;
}

/** The engine's size when it gave one (`what` names the field), else the one in the name. */
export function sizeOf(name: string, fromEngine: number | null, what: string): Size {
  if (fromEngine !== null) return { paramsB: fromEngine, sizeFrom: 'engine', sizeText: `${fromEngine}B (${what})` };
  const guess = paramsFromName(name);
  if (guess !== null) return { paramsB: guess, sizeFrom: 'name', sizeText: `${guess}B (from its name; the engine does not report a size)` };
  return { sizeText: 'unknown (the engine does not report a size)' };
}
