// Node side of tests/test_lab_glue.py: formats every [text, spec] case with the lab plugin's
// formatter (jupyterlab/xent-glue/static/remoteEntry.js) and prints the results as JSON
// ("ERROR" where it refuses, as Python raises).
// Usage: node tests/lab_glue_format.js CASES.json
'use strict';
const fs = require('fs');
const path = require('path');
const glue = require(path.join(__dirname, '..', 'jupyterlab', 'xent-glue', 'static', 'remoteEntry.js'));

const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const out = cases.map(([text, spec]) => {
  try {
    return glue.formatPlainText(text, spec);
  } catch (e) {
    if (e instanceof glue.FormatError || e instanceof RangeError || e instanceof SyntaxError) return 'ERROR';
    throw e;
  }
});
process.stdout.write(JSON.stringify(out));
