// Line and function coverage of the product code from raw V8 coverage (NODE_V8_COVERAGE), merged
// over every process that wrote some. Node 20's own `--experimental-test-coverage` cannot report
// on tsc output with source maps (it throws "Cannot read properties of undefined (reading 'line')",
// nodejs/node#54240), so the compiled JavaScript is measured directly: a line counts as run when
// the innermost V8 range holding its first character ran at least once in some process.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Offsets of each line's first non-blank character, for the lines that are code. */
function codeLines(source) {
  const lines = [];
  let offset = 0;
  for (const text of source.split('\n')) {
    const trimmed = text.trimStart();
    const code = trimmed !== '' && !trimmed.startsWith('//') && !/^[\])};,]+$/.test(trimmed);
    if (code) lines.push(offset + (text.length - trimmed.length));
    offset += text.length + 1;
  }
  return lines;
}

/** Per script: run lines and functions, as sets merged over processes. */
function merge(dir, isProduct) {
  const scripts = new Map();
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    const { result } = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    for (const script of result) {
      if (!script.url.startsWith('file://')) continue;
      const file = fileURLToPath(script.url);
      if (!isProduct(file)) continue;
      let entry = scripts.get(file);
      if (!entry) {
        entry = { lines: codeLines(readFileSync(file, 'utf8')), run: new Set(), functions: new Map() };
        scripts.set(file, entry);
      }
      const ranges = script.functions.flatMap((f) => f.ranges).sort((a, b) => a.startOffset - b.startOffset || b.endOffset - a.endOffset);
      const counts = new Array(entry.lines.length).fill(0);
      for (const r of ranges) {
        for (let i = 0; i < entry.lines.length; i++) {
          const at = entry.lines[i];
          if (at >= r.startOffset && at < r.endOffset) counts[i] = r.count;
        }
      }
      counts.forEach((c, i) => c > 0 && entry.run.add(i));
      for (const f of script.functions) {
        if (!f.functionName) continue;
        const key = f.ranges[0].startOffset;
        entry.functions.set(key, (entry.functions.get(key) ?? false) || f.ranges[0].count > 0);
      }
    }
  }
  return scripts;
}

/** One summary line: lines and functions run, over the product files any process loaded. */
export function coverageSummary(dir, root) {
  const isProduct = (file) => /^(shared|proto|ml|server|client)\/dist\/src\//.test(relative(root, file)) && !file.endsWith('.test.js');
  const scripts = merge(dir, isProduct);
  let lines = 0;
  let run = 0;
  let fns = 0;
  let fnsRun = 0;
  for (const s of scripts.values()) {
    lines += s.lines.length;
    run += s.run.size;
    fns += s.functions.size;
    fnsRun += [...s.functions.values()].filter(Boolean).length;
  }
  const pct = (a, b) => (b > 0 ? ((100 * a) / b).toFixed(1) : '-');
  return `lines ${pct(run, lines)}% (${run}/${lines}), functions ${pct(fnsRun, fns)}% (${fnsRun}/${fns}) over ${scripts.size} product files loaded`;
}
