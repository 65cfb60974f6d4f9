// Shared fixtures for the routing tests: requests, RouteInputs over the catalogue, temp dirs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CATALOGUE } from '../../server/config/catalogue';
import type { ModelConfig } from '../../server/config/schema';
import type { RequestContext, RouteInput } from '../../server/routing/types';
import { extractFeatures } from '../../server/routing/features';
import { estimateFootprint, DEFAULT_WEIGHTS } from '../../server/routing/rewards';
import { mulberry32 } from '../../server/routing/rng';

export const MODELS: ModelConfig[] = CATALOGUE.map((m) => ({ ...m, endpoint: m.id === 'llama-3.1-405b' ? undefined : { url: 'http://127.0.0.1:8177', model: m.id, flavour: 'chat' as const } }));
export const AVAILABLE = MODELS.filter((m) => m.endpoint);

export function request(over: Partial<RequestContext> = {}): RequestContext {
  const prompt = over.prompt ?? 'def is_prime(n: int) -> bool:\n    """Return True if n is a prime number.\n    >>> is_prime(7)\n    True\n    >>> is_prime(4)\n    False\n    """\n';
  return {
    kind: 'implement',
    language: 'python',
    prompt,
    functionName: 'is_prime',
    signature: 'def is_prime(n: int) -> bool:',
    docstring: 'Return True if n is a prime number.\n>>> is_prime(7)\nTrue\n>>> is_prime(4)\nFalse',
    tests: [
      { name: 'is_prime(7)', kind: 'doctest', source: { uri: 'a.py', line: 2 }, code: 'assert is_prime(7) == True' },
      { name: 'is_prime(4)', kind: 'doctest', source: { uri: 'a.py', line: 4 }, code: 'assert is_prime(4) == False' },
    ],
    history: [],
    ...over,
  };
}

export function input(req: RequestContext = request(), over: Partial<RouteInput> = {}): RouteInput {
  return {
    request: req,
    features: extractFeatures(req),
    candidates: AVAILABLE,
    predict: (m) => estimateFootprint(m, 200, 200),
    budget: { level: 'balanced', co2gLeft: Infinity, costUsdLeft: Infinity, co2gPerRequest: Infinity, costUsdPerRequest: Infinity },
    weights: DEFAULT_WEIGHTS,
    random: mulberry32(1),
    ...over,
  };
}

export function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'routing-test-'));
}
