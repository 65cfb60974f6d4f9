import { strict as assert } from 'node:assert';
import { buildFimPrompt } from '../../server/client/fim';

describe('client/fim', () => {
  const prefix = 'def add(a, b):\n    ';
  const suffix = '\n\nprint(add(1, 2))\n';

  it('deepseek-coder: full-width sentinels', () => {
    const f = buildFimPrompt('deepseek-coder', prefix, suffix);
    assert.equal(f.prompt, '<｜fim▁begin｜>def add(a, b):\n    <｜fim▁hole｜>\n\nprint(add(1, 2))\n<｜fim▁end｜>');
    // The bars are U+FF5C and the underscores U+2581, not ASCII.
    assert.ok(f.prompt.includes('\uff5cfim\u2581begin\uff5c'));
    assert.ok(!f.prompt.includes('<|fim'));
    assert.ok(f.stop.includes('<｜end▁of▁sentence｜>'));
  });

  it('codellama: <PRE> prefix <SUF>suffix <MID>', () => {
    const f = buildFimPrompt('codellama', prefix, suffix);
    assert.equal(f.prompt, '<PRE> def add(a, b):\n     <SUF>\n\nprint(add(1, 2))\n <MID>');
    assert.deepEqual(f.stop, ['<EOT>']);
  });

  it('starcoder', () => {
    const f = buildFimPrompt('starcoder', prefix, suffix);
    assert.equal(f.prompt, '<fim_prefix>def add(a, b):\n    <fim_suffix>\n\nprint(add(1, 2))\n<fim_middle>');
    assert.ok(f.stop.includes('<|endoftext|>'));
  });

  it('qwen-coder', () => {
    const f = buildFimPrompt('qwen-coder', prefix, suffix);
    assert.equal(f.prompt, '<|fim_prefix|>def add(a, b):\n    <|fim_suffix|>\n\nprint(add(1, 2))\n<|fim_middle|>');
    assert.ok(f.stop.includes('<|endoftext|>'));
  });

  it('llama and none: prefix only, no sentinels', () => {
    for (const fam of ['llama', 'none'] as const) {
      assert.deepEqual(buildFimPrompt(fam, prefix, suffix), { prompt: prefix, stop: [] });
    }
  });
});
