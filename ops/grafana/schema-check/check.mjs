// Checks a Grafana dashboard JSON against Grafana's own schema: the dashboard kind and the panel plug-ins'
// options as published in @grafana/schema (TypeScript generated from Grafana's CUE definitions). The JSON is
// written into a TypeScript file as object literals with `satisfies`, so the compiler reports every missing
// required field, wrong type and unknown (misspelt) property with its path. Exit status 0 valid, 1 invalid.
//
// Grafana stores panel options sparsely (it fills in defaults), so options are checked as deep partials: what is
// there must exist in the schema and have the right type.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const here = path.dirname(fileURLToPath(import.meta.url));
const file = process.argv[2];
if (!file) {
  console.error('usage: node check.mjs DASHBOARD.json');
  process.exit(2);
}
const dashboard = JSON.parse(fs.readFileSync(file, 'utf8'));

// panel type -> module with its Options (and FieldConfig for fieldConfig.defaults.custom)
const PANEL_CONFIGS = {
  timeseries: { module: 'timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen', fieldConfig: true },
  stat: { module: 'stat/panelcfg/x/StatPanelCfg_types.gen', fieldConfig: false },
  table: { module: 'table/panelcfg/x/TablePanelCfg_types.gen', fieldConfig: true },
  gauge: { module: 'gauge/panelcfg/x/GaugePanelCfg_types.gen', fieldConfig: false },
  bargauge: { module: 'bargauge/panelcfg/x/BarGaugePanelCfg_types.gen', fieldConfig: false },
  piechart: { module: 'piechart/panelcfg/x/PieChartPanelCfg_types.gen', fieldConfig: true },
  text: { module: 'text/panelcfg/x/TextPanelCfg_types.gen', fieldConfig: false },
};

const lines = [
  "import type { Dashboard } from '@grafana/schema/dist/esm/raw/dashboard/x/Dashboard_types.gen';",
];
const used = new Set();
const panels = [];
const walk = (list) => {
  for (const p of list ?? []) {
    panels.push(p);
    walk(p.panels); // panels inside a collapsed row
  }
};
walk(dashboard.panels);
const problems = [];
for (const p of panels) {
  if (p.type === 'row') continue;
  if (!PANEL_CONFIGS[p.type]) problems.push(`panel ${p.id} "${p.title}": type ${p.type} has no schema here`);
  else used.add(p.type);
}
for (const t of used) {
  lines.push(`import type * as ${t} from '@grafana/schema/dist/esm/raw/composable/${PANEL_CONFIGS[t].module}';`);
}
// JSON carries an enum's value, not the TypeScript enum: `${E}` turns a string enum into its values (numbers
// are assignable to numeric enums as they are)
lines.push('type Json<T> = T extends string ? `${T}` : T extends (infer U)[] ? Json<U>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;');
lines.push('type DeepPartial<T> = T extends string ? `${T}` : T extends (infer U)[] ? DeepPartial<U>[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;');
lines.push(`export const dashboard = ${JSON.stringify(dashboard, null, 2)} satisfies Json<Dashboard>;`);
for (const p of panels) {
  if (p.type === 'row' || !PANEL_CONFIGS[p.type]) continue;
  const name = `panel_${p.id}`;
  lines.push(`export const ${name}_options = ${JSON.stringify(p.options ?? {}, null, 2)} satisfies DeepPartial<${p.type}.Options>;`);
  if (PANEL_CONFIGS[p.type].fieldConfig) {
    const custom = p.fieldConfig?.defaults?.custom ?? {};
    lines.push(`export const ${name}_custom = ${JSON.stringify(custom, null, 2)} satisfies DeepPartial<${p.type}.FieldConfig>;`);
  }
}

const buildDir = path.join(here, 'build');
fs.mkdirSync(buildDir, { recursive: true });
const source = path.join(buildDir, 'dashboard-check.ts');
fs.writeFileSync(source, lines.join('\n') + '\n');

const program = ts.createProgram([source], {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  skipLibCheck: true,
  types: [],
});
const diagnostics = ts.getPreEmitDiagnostics(program);
for (const d of diagnostics) {
  const text = ts.flattenDiagnosticMessageText(d.messageText, '\n  ');
  if (d.file) {
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    problems.push(`${path.relative(here, d.file.fileName)}:${line + 1}: ${text}`);
  } else {
    problems.push(text);
  }
}
if (problems.length > 0) {
  console.error(`${file}: NOT a valid Grafana dashboard (@grafana/schema ${schemaVersion()}):`);
  for (const p of problems) console.error('  ' + p);
  process.exit(1);
}
console.log(`${file}: valid Grafana dashboard (@grafana/schema ${schemaVersion()}, schemaVersion ${dashboard.schemaVersion}, ` +
  `${panels.length} panels checked, types ${[...used].sort().join(', ')})`);

function schemaVersion() {
  return JSON.parse(fs.readFileSync(path.join(here, 'node_modules/@grafana/schema/package.json'), 'utf8')).version;
}
