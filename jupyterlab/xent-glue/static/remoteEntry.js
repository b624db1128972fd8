/*
 * xent-glue: the chapters' glued numbers, citations and chapter references in JupyterLab (issue 19).
 *
 * jupyterlab-myst renders MyST but leaves three things as their keys:
 *   {glue:text}`key:spec`   shown as "key:spec"  -> the value the notebook stores, formatted as the
 *                           book formats it (MyST-NB's format_plain_text: literal_eval, then Python's
 *                           format(value, spec)); read live from the open notebook's glue outputs
 *                           (display_data with metadata.scrapbook, MIME application/papermill.record/*),
 *                           so a re-run cell updates the prose;
 *   {cite}`key`             "Citation Not Found"  -> "Cui et al., 2019", as in the book;
 *   {ref}`ch-...` elsewhere "Cross Reference Not Found" -> the target's heading.
 * The last two come from static/index.json, written beside this file by scripts/lab_index.py.
 *
 * This file is a module-federation container written by hand (no build step, no npm packages):
 * JupyterLab loads it as a script, calls init(shareScope) and get("./extension"); the notebook
 * tracker's token comes from the shared @jupyterlab/notebook module. Only text nodes are changed
 * (never nodes replaced), so React keeps its own DOM.
 *
 * In Node, require() gives the formatter (tests/test_lab_glue.py checks it against Python).
 */
/* eslint-disable no-var */
var _JUPYTERLAB;
(function () {
  'use strict';

  // ------------------------------------------------------------------ Python's format()

  class FormatError extends Error {}

  const SPEC =
    /^(?:(.)?([<>=^]))?([+\- ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/s;

  function parseSpec(spec) {
    // fill needs an align after it; a lone align char is an align
    const m = SPEC.exec(spec);
    if (!m) throw new FormatError(`Invalid format specifier '${spec}'`);
    let [, fill, align, sign, z, alt, zero, width, grouping, precision, type] = m;
    const fillGiven = fill !== undefined;
    if (zero && !fillGiven) fill = '0';
    return {
      fill: fill === undefined ? ' ' : fill,
      align,
      zeroDefaultAlign: Boolean(zero) && !align,
      sign: sign || '-',
      signGiven: sign !== undefined,
      z: Boolean(z),
      alt: Boolean(alt),
      width: width === undefined ? 0 : parseInt(width, 10),
      grouping: grouping || '',
      precision: precision === undefined ? null : parseInt(precision, 10),
      type: type || '',
    };
  }

  function groupDigits(digits, sep, size, minWidth) {
    // Python pads with zeros inside the grouping up to minWidth ('0' fill with '=' align)
    let out = '';
    let count = 0;
    let i = digits.length - 1;
    let len = 0;
    for (;;) {
      if (i >= 0) {
        if (count === size) {
          out = sep + out;
          len++;
          count = 0;
        }
        out = digits[i] + out;
        i--;
        count++;
        len++;
      } else if (len < minWidth) {
        if (count === size) {
          out = sep + out;
          len++;
          count = 0;
          if (len >= minWidth) {
            out = '0' + out; // Python never starts with a separator
            len++;
            break;
          }
        }
        out = '0' + out;
        count++;
        len++;
      } else break;
    }
    return out;
  }

  function pad(body, prefix, s, defaultAlign) {
    // body: digits etc. after the sign; prefix: sign (+ 0x); '=' pads between them
    const align = s.align || (s.zeroDefaultAlign ? '=' : defaultAlign);
    const len = [...prefix].length + [...body].length;
    const n = Math.max(0, s.width - len);
    const fill = s.fill.repeat(n);
    if (align === '<') return prefix + body + fill;
    if (align === '>') return fill + prefix + body;
    if (align === '=') return prefix + fill + body;
    const left = Math.floor(n / 2);
    return s.fill.repeat(left) + prefix + body + s.fill.repeat(n - left);
  }

  function signOf(negative, s) {
    if (negative) return '-';
    return s.sign === '+' ? '+' : s.sign === ' ' ? ' ' : '';
  }

  // exact decimal expansion of a finite double >= 0: value = D / 10^k
  function exact(x) {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, x);
    const hi = view.getUint32(0);
    const lo = view.getUint32(4);
    const bexp = (hi >>> 20) & 0x7ff;
    let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
    let e;
    if (bexp === 0) e = -1074;
    else {
      mant |= 1n << 52n;
      e = bexp - 1075;
    }
    if (e >= 0) return { D: mant << BigInt(e), k: 0 };
    return { D: mant * 5n ** BigInt(-e), k: -e };
  }

  function divRoundHalfEven(n, d) {
    const q = n / d;
    const r = n - q * d;
    const twice = 2n * r;
    if (twice > d || (twice === d && q % 2n === 1n)) return q + 1n;
    return q;
  }

  // x >= 0 rounded to `decimals` places: [integer digits, fraction digits]
  function fixedDigits(x, decimals) {
    const { D, k } = exact(x);
    let n;
    if (k > decimals) n = divRoundHalfEven(D, 10n ** BigInt(k - decimals));
    else n = D * 10n ** BigInt(decimals - k);
    let str = n.toString();
    if (str.length <= decimals) str = '0'.repeat(decimals - str.length + 1) + str;
    return [str.slice(0, str.length - decimals), str.slice(str.length - decimals)];
  }

  // x >= 0 rounded to p significant digits: {digits (p chars), exp}, value = d.ddd * 10^exp
  function sigDigits(x, p) {
    if (x === 0) return { digits: '0'.repeat(p), exp: 0 };
    const { D, k } = exact(x);
    const len = D.toString().length;
    let exp = len - 1 - k;
    const shift = len - p;
    let n = shift > 0 ? divRoundHalfEven(D, 10n ** BigInt(shift)) : D * 10n ** BigInt(-shift);
    let digits = n.toString();
    if (digits.length > p) {
      exp += 1;
      digits = digits.slice(0, p);
    }
    return { digits, exp };
  }

  // shortest round-trip digits (Python's repr and JavaScript agree on them)
  function shortest(x) {
    if (x === 0) return { digits: '0', exp: 0 };
    const [mant, e] = x.toExponential().split('e');
    return { digits: mant.replace('.', ''), exp: parseInt(e, 10) };
  }

  function expString(exp) {
    const a = Math.abs(exp);
    return (exp < 0 ? '-' : '+') + (a < 10 ? '0' : '') + a;
  }

  // lay digits d.ddd * 10^exp out in fixed notation with `decimals` places
  function layoutFixed(digits, exp, decimals) {
    let intPart;
    let frac;
    if (exp >= 0) {
      const all = digits.length > exp + 1 ? digits : digits + '0'.repeat(exp + 1 - digits.length);
      intPart = all.slice(0, exp + 1);
      frac = all.slice(exp + 1);
    } else {
      intPart = '0';
      frac = '0'.repeat(-exp - 1) + digits;
    }
    if (frac.length < decimals) frac += '0'.repeat(decimals - frac.length);
    return [intPart, frac];
  }

  function formatFloat(x, s) {
    let type = s.type;
    if (!'eEfFgGn%'.includes(type) && type !== '') {
      throw new FormatError(`Unknown format code '${type}' for object of type 'float'`);
    }
    if (type === 'n' && s.grouping) throw new FormatError("Cannot specify ',' with 'n'.");
    const negative = x < 0 || Object.is(x, -0);
    let a = Math.abs(x);
    if (type === '%') a *= 100; // Python multiplies first: 1e308 gives inf%
    let intPart;
    let frac = null;
    let expPart = '';
    let percent = '';
    const upper = type === 'E' || type === 'F' || type === 'G';
    if (!Number.isFinite(a)) {
      let word = Number.isNaN(a) ? 'nan' : 'inf';
      if (upper) word = word.toUpperCase();
      if (type === '%') word += '%';
      const sign = Number.isNaN(a) ? signOf(false, s) : signOf(negative, s);
      const t = Object.assign({}, s);
      if (t.fill === '0' && !t.align && t.zeroDefaultAlign) {
        t.fill = '0';
      }
      return pad(word, sign, t, '>');
    }
    let p = s.precision;
    let keepPoint = s.alt;
    let trim = false;
    let addDot0 = false;
    if (type === '%') {
      percent = '%';
      type = 'f';
    }
    if (type === 'f' || type === 'F') {
      [intPart, frac] = fixedDigits(a, p === null ? 6 : p);
    } else if (type === 'e' || type === 'E') {
      const q = p === null ? 6 : p;
      const r = sigDigits(a, q + 1);
      intPart = r.digits[0];
      frac = r.digits.slice(1);
      expPart = (type === 'E' ? 'E' : 'e') + expString(r.exp);
    } else {
      // g, G, n, or no type
      let r;
      let limit;
      if (type === '' && p === null) {
        r = shortest(a);
        limit = 16;
        addDot0 = true;
      } else {
        if (p === null) p = 6;
        if (p === 0) p = 1;
        r = sigDigits(a, p);
        limit = type === '' ? p - 1 : p;
        if (type === '') addDot0 = true;
        if (a === 0) r.exp = 0;
        trim = !s.alt;
      }
      if (type === '' && p === null) {
        // repr: trailing zeros never kept beyond the shortest digits
        trim = false;
      }
      if (r.exp < -4 || r.exp >= limit) {
        intPart = r.digits[0];
        frac = r.digits.slice(1);
        if (type === '' && p === null) frac = frac.replace(/0+$/, '');
        expPart = (type === 'G' ? 'E' : 'e') + expString(r.exp);
        addDot0 = false;
      } else {
        const decimals = type === '' && p === null ? 0 : p - 1 - r.exp;
        [intPart, frac] = layoutFixed(r.digits, r.exp, decimals);
        if (type === '' && p === null) frac = frac.replace(/0+$/, '');
      }
      if (trim) frac = frac.replace(/0+$/, '');
      if (addDot0 && !expPart && frac === '') frac = '0';
      if (type === '' && p !== null && s.alt && frac === '') keepPoint = true;
    }
    if (s.z && negative) {
      const zero = /^0*$/.test(intPart) && /^0*$/.test(frac || '');
      if (zero) return formatFloat(0, s);
    }
    const sign = signOf(negative, s);
    let tail = (frac === null || frac === '' ? (keepPoint ? '.' : '') : '.' + frac) + expPart + percent;
    if (s.grouping) {
      const minWidth =
        s.fill === '0' && (s.align === '=' || (!s.align && s.zeroDefaultAlign))
          ? Math.max(0, s.width - sign.length - tail.length)
          : 0;
      intPart = groupDigits(intPart, s.grouping, 3, minWidth);
    }
    return pad(intPart + tail, sign, s, '>');
  }

  function formatInt(n, s) {
    // n: BigInt
    let type = s.type;
    if ('eEfFgG%'.includes(type) && type !== '') return formatFloat(Number(n), s);
    if (s.precision !== null) throw new FormatError('Precision not allowed in integer format specifier');
    if (s.z) throw new FormatError('Negative zero coercion (z) not allowed in format specifier');
    if (type === '' || type === 'n') type = 'd';
    if (!'bcdoxX'.includes(type)) {
      throw new FormatError(`Unknown format code '${type}' for object of type 'int'`);
    }
    if (type === 'n' && s.grouping) throw new FormatError("Cannot specify ',' with 'n'.");
    if (type === 'c') {
      if (s.sign !== '-') throw new FormatError('Sign not allowed with integer format specifier \'c\'');
      if (s.alt) throw new FormatError("Alternate form (#) not allowed with integer format specifier 'c'");
      if (s.grouping) throw new FormatError("Cannot specify ',' with 'c'.");
      return pad(String.fromCodePoint(Number(n)), '', s, '>');
    }
    if (s.grouping === ',' && type !== 'd') throw new FormatError(`Cannot specify ',' with '${type}'.`);
    const negative = n < 0n;
    const a = negative ? -n : n;
    const base = { b: 2, o: 8, d: 10, x: 16, X: 16 }[type];
    let digits = a.toString(base);
    if (type === 'X') digits = digits.toUpperCase();
    const prefix = signOf(negative, s) + (s.alt && type !== 'd' ? '0' + type : '');
    if (s.grouping) {
      const minWidth =
        s.fill === '0' && (s.align === '=' || (!s.align && s.zeroDefaultAlign))
          ? Math.max(0, s.width - prefix.length)
          : 0;
      digits = groupDigits(digits, s.grouping, type === 'd' ? 3 : 4, minWidth);
    }
    return pad(digits, prefix, s, '>');
  }

  function formatStr(str, s) {
    if (s.type !== '' && s.type !== 's') {
      throw new FormatError(`Unknown format code '${s.type}' for object of type 'str'`);
    }
    if (s.signGiven) throw new FormatError('Sign not allowed in string format specifier');
    if (s.z) throw new FormatError('Negative zero coercion (z) not allowed in format specifier');
    if (s.alt) throw new FormatError('Alternate form (#) not allowed in string format specifier');
    if (s.grouping) throw new FormatError(`Cannot specify '${s.grouping}' with 's'.`);
    if (s.align === '=') throw new FormatError("'=' alignment not allowed in string format specifier");
    let chars = [...str];
    if (s.precision !== null) chars = chars.slice(0, s.precision);
    const t = Object.assign({}, s, { zeroDefaultAlign: false });
    return pad(chars.join(''), '', t, '<');
  }

  // Python values: {t: 'int', v: BigInt} | {t: 'float', v: number} | {t: 'str', v} | {t: 'bool', v} | {t: 'none'}
  function pyStr(value) {
    switch (value.t) {
      case 'int':
        return value.v.toString();
      case 'float':
        return formatFloat(value.v, parseSpec(''));
      case 'bool':
        return value.v ? 'True' : 'False';
      case 'none':
        return 'None';
      default:
        return value.v;
    }
  }

  function pyFormat(value, spec) {
    if (spec === '') return pyStr(value);
    const s = parseSpec(spec);
    switch (value.t) {
      case 'int':
        return formatInt(value.v, s);
      case 'bool':
        return formatInt(value.v ? 1n : 0n, s);
      case 'float':
        return formatFloat(value.v, s);
      case 'str':
        return formatStr(value.v, s);
      default:
        throw new FormatError('unsupported format string passed to NoneType.__format__');
    }
  }

  const DIGITS = '\\d(?:_?\\d)*';
  const FLOAT_LITERAL = new RegExp(
    `^(?:(?:${DIGITS})?\\.${DIGITS}|${DIGITS}\\.)(?:[eE][+-]?${DIGITS})?$|^${DIGITS}[eE][+-]?${DIGITS}$`,
  );
  const INT_LITERAL = /^(?:[1-9](?:_?\d)*|0(?:_?0)*|0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+)$/;

  function unquote(text) {
    const m = /^(['"])((?:[^\\\n]|\\.)*)\1$/s.exec(text);
    if (!m || m[2].includes(m[1]) && !/\\/.test(m[2])) return null;
    const map = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', 0: '\0' };
    let bad = false;
    const out = m[2].replace(/\\(.)/gs, (all, c) => {
      if (c in map) return map[c];
      if (c === '\n') return '';
      bad = true;
      return all;
    });
    if (bad) return null;
    return out;
  }

  // ast.literal_eval for the values glue stores (numbers; also strings, True/False/None);
  // anything else stays the text itself, as in MyST-NB
  function literalEval(text) {
    let t = text.replace(/^[ \t]+/, '').replace(/\s+$/, '');
    if (t === 'True' || t === 'False') return { t: 'bool', v: t === 'True' };
    if (t === 'None') return { t: 'none' };
    const str = unquote(t);
    if (str !== null) return { t: 'str', v: str };
    let negative = false;
    let body = t;
    const sm = /^((?:[+-]\s*)*)(.*)$/s.exec(t);
    if (sm[1]) {
      negative = (sm[1].match(/-/g) || []).length % 2 === 1;
      body = sm[2];
    }
    if (INT_LITERAL.test(body)) {
      const v = BigInt(body.replace(/_/g, ''));
      return { t: 'int', v: negative ? -v : v };
    }
    if (FLOAT_LITERAL.test(body)) {
      const v = Number(body.replace(/_/g, ''));
      return { t: 'float', v: negative ? -v : v };
    }
    return { t: 'str', v: text };
  }

  const FLOAT_STRING = new RegExp(
    `^[+-]?(?:(?:${DIGITS})?\\.${DIGITS}(?:[eE][+-]?${DIGITS})?|${DIGITS}\\.?(?:[eE][+-]?${DIGITS})?|inf|infinity|nan)$`,
    'i',
  );

  function toFloat(value) {
    switch (value.t) {
      case 'float':
        return value;
      case 'int':
        return { t: 'float', v: Number(value.v) };
      case 'bool':
        return { t: 'float', v: value.v ? 1 : 0 };
      case 'str': {
        const s = value.v.trim();
        if (!FLOAT_STRING.test(s)) throw new FormatError(`could not convert string to float: '${value.v}'`);
        const low = s.toLowerCase().replace(/_/g, '');
        const neg = low.startsWith('-');
        const core = low.replace(/^[+-]/, '');
        let v;
        if (core === 'inf' || core === 'infinity') v = Infinity;
        else if (core === 'nan') v = NaN;
        else v = Number(core);
        return { t: 'float', v: neg ? -v : v };
      }
      default:
        throw new FormatError("float() argument must be a string or a real number, not 'NoneType'");
    }
  }

  function toInt(value) {
    switch (value.t) {
      case 'int':
        return value;
      case 'bool':
        return { t: 'int', v: value.v ? 1n : 0n };
      case 'float':
        if (!Number.isFinite(value.v)) throw new FormatError('cannot convert float to integer');
        return { t: 'int', v: BigInt(Math.trunc(value.v)) };
      case 'str': {
        const s = value.v.trim();
        if (!/^[+-]?\d(?:_?\d)*$/.test(s)) throw new FormatError(`invalid literal for int() with base 10: '${value.v}'`);
        return { t: 'int', v: BigInt(s.replace(/_/g, '')) };
      }
      default:
        throw new FormatError("int() argument must be a string, a bytes-like object or a real number, not 'NoneType'");
    }
  }

  /** MyST-NB's format_plain_text(text, spec): the text the book shows for {glue:text}`key:spec`. */
  function formatPlainText(text, spec) {
    let value = literalEval(text);
    if (spec === '') return pyStr(value);
    const type = spec[spec.length - 1];
    if (type === 's') value = { t: 'str', v: pyStr(value) };
    else if ('bcdoxX'.includes(type)) value = toInt(value);
    else if ('eEfFgGn%'.includes(type)) value = toFloat(value);
    return pyFormat(value, spec);
  }

  /** The parts of a glue role's body: {glue:text}`key:spec` (spec "s" when there is no colon). */
  function parseRole(role, body) {
    if (role === 'glue:text') {
      const i = body.lastIndexOf(':');
      return i < 0 ? { key: body, spec: 's' } : { key: body.slice(0, i), spec: body.slice(i + 1) };
    }
    return { key: body, spec: null };
  }

  const GLUE_ROLE = /\{(glue(?::(?:text|any))?)\}`([^`]+)`/g;

  // ------------------------------------------------------------------ the plugin

  function glueValues(model) {
    const values = new Map();
    const cells = model.cells;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells.get(i);
      if (cell.type !== 'code' || !cell.outputs) continue;
      const outputs = cell.outputs;
      for (let j = 0; j < outputs.length; j++) {
        const out = outputs.get(j).toJSON();
        const scrapbook = out.metadata && out.metadata.scrapbook;
        if (!scrapbook || !scrapbook.name || !out.data) continue;
        let text = out.data[(scrapbook.mime_prefix || '') + 'text/plain'];
        if (Array.isArray(text)) text = text.join('');
        if (typeof text === 'string') values.set(scrapbook.name, text);
      }
    }
    return values;
  }

  function shown(role, body, values) {
    const { key, spec } = parseRole(role, body);
    if (!values.has(key)) return { text: `⟨${key}: run the cells above⟩`, ok: false };
    const text = values.get(key);
    if (spec === null) return { text, ok: true };
    try {
      return { text: formatPlainText(text, spec), ok: true };
    } catch (e) {
      return { text, ok: false };
    }
  }

  function setText(node, text) {
    const t = node.firstChild;
    if (t && t.nodeType === 3 && node.childNodes.length === 1) {
      if (t.nodeValue !== text) t.nodeValue = text;
    } else {
      // a not-found span holds an icon and a text node: change the text node only
      for (const c of node.childNodes) {
        if (c.nodeType === 3 && c.nodeValue.trim()) {
          if (c.nodeValue !== text) c.nodeValue = text;
          return;
        }
      }
    }
  }

  function resolveCell(cell, values, index) {
    const source = cell.model.sharedModel.getSource();
    const roles = new Map();
    for (const m of source.matchAll(GLUE_ROLE)) roles.set(m[2], m[1]);
    const rendered = cell.node.querySelectorAll('.myst');
    for (const root of rendered) {
      if (roles.size) {
        for (const span of root.querySelectorAll('span')) {
          const own = span.getAttribute('data-xent-glue');
          if (!own && span.attributes.length) continue;
          if (span.childNodes.length !== 1 || span.firstChild.nodeType !== 3) continue;
          const text = span.firstChild.nodeValue;
          const body = roles.has(text) ? text : own;
          if (!body || !roles.has(body)) continue;
          const r = shown(roles.get(body), body, values);
          setText(span, r.text);
          if (own !== body) span.setAttribute('data-xent-glue', body);
          span.classList.add('xent-glue');
          span.classList.toggle('xent-glue-missing', !r.ok);
        }
      }
      if (!index) continue;
      for (const span of root.querySelectorAll(
        'span[title="Citation Not Found"], span[title="Cross Reference Not Found"], span[data-xent-cite], span[data-xent-ref]',
      )) {
        const cite = span.getAttribute('title') === 'Citation Not Found' || span.hasAttribute('data-xent-cite');
        const key = span.getAttribute(cite ? 'data-xent-cite' : 'data-xent-ref') || span.textContent.trim();
        if (cite) {
          const c = index.citations[key];
          if (!c) continue;
          span.setAttribute('data-xent-cite', key);
          setText(span, c.label);
          span.setAttribute('title', c.title);
        } else {
          const heading = index.labels[key];
          if (!heading) continue;
          span.setAttribute('data-xent-ref', key);
          setText(span, heading);
          span.setAttribute('title', heading);
        }
        span.classList.add('xent-resolved');
      }
    }
  }

  const STYLE = `
.xent-resolved { color: inherit !important; }
.xent-resolved > svg { display: none; }
.xent-glue-missing { color: var(--jp-warn-color0, #b45309); }
`;

  let indexPromise = null;
  const here = typeof document !== 'undefined' && document.currentScript ? document.currentScript.src : '';

  function loadIndex() {
    if (!indexPromise) {
      const url = new URL('index.json', here || window.location.href).href;
      indexPromise = fetch(url, { credentials: 'same-origin' })
        .then((r) => (r.ok ? r.json() : null))
        .catch(() => null);
    }
    return indexPromise;
  }

  function attach(panel) {
    const notebook = panel.content;
    let index = null;
    let timer = null;
    const apply = () => {
      timer = null;
      const model = notebook.model;
      if (!model) return;
      const values = glueValues(model);
      for (const cell of notebook.widgets) {
        if (cell.model.type === 'markdown') resolveCell(cell, values, index);
      }
    };
    const schedule = () => {
      if (timer === null) timer = setTimeout(apply, 30);
    };
    const observer = new MutationObserver(schedule);
    observer.observe(notebook.node, { childList: true, subtree: true, characterData: true });
    loadIndex().then((i) => {
      index = i;
      schedule();
    });
    const connect = () => {
      if (notebook.model) notebook.model.contentChanged.connect(schedule);
      schedule();
    };
    notebook.modelChanged.connect(connect);
    connect();
    panel.disposed.connect(() => observer.disconnect());
  }

  function makePlugin(INotebookTracker) {
    return {
      id: 'xent-glue:plugin',
      description: "Shows the chapters' glued numbers, citations and chapter references (xent-book).",
      autoStart: true,
      requires: [INotebookTracker],
      activate: (app, tracker) => {
        const style = document.createElement('style');
        style.textContent = STYLE;
        document.head.appendChild(style);
        tracker.forEach(attach);
        tracker.widgetAdded.connect((_, panel) => attach(panel));
      },
    };
  }

  let shared = null;

  function compareVersions(a, b) {
    const pa = a.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
    const pb = b.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
      if ((pa[i] || 0) !== (pb[i] || 0)) return (pa[i] || 0) - (pb[i] || 0);
    }
    return 0;
  }

  async function sharedModule(name) {
    const versions = shared && shared[name];
    if (!versions) throw new Error(`xent-glue: JupyterLab does not share ${name}`);
    const keys = Object.keys(versions);
    const loaded = keys.filter((k) => versions[k].loaded);
    const key = (loaded.length ? loaded : keys).sort(compareVersions).pop();
    const factory = await versions[key].get();
    return factory();
  }

  const container = {
    init(shareScope) {
      shared = shareScope;
    },
    async get(module) {
      if (module !== './extension') throw new Error(`Module "${module}" does not exist in container.`);
      const nb = await sharedModule('@jupyterlab/notebook');
      const plugin = makePlugin(nb.INotebookTracker);
      return () => ({ __esModule: true, default: plugin });
    },
  };

  const api = { formatPlainText, parseRole, literalEval, FormatError };
  if (typeof module !== 'undefined' && module.exports) {
    module.exports = api;
  } else {
    _JUPYTERLAB = _JUPYTERLAB || {};
    _JUPYTERLAB['xent-glue'] = container;
  }
})();
