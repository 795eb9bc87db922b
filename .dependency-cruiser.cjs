// Import direction: the folders of src/ say what happens to the data, in this order, and
// a module may import only from its own layer or a lower one (read -> parse -> track ->
// verdict -> report -> cli). `npm run lint` fails when a lower layer imports a higher one,
// type-only imports included, and on any import cycle.
const LAYERS = [
  ['model', 'text', 'errors.ts'], // the domain's types and plain text helpers
  ['read'], // bytes -> lines
  ['parse'], // line -> event (and the byte scanner)
  ['dialect'], // how a spy words its lines
  ['track'], // events -> the life of every block
  ['capture'], // which process and run a line belongs to
  ['baseline', 'hint'], // known runtime memory; what a block's data looks like
  ['verdict'], // completeness rules, the one decision, findings, merging parts
  ['analyze.ts'], // the analysis, start to end
  ['report'], // reporters of a Report
  ['check', 'diff'], // the CI gate and the comparison, and their reporters
  ['cli', 'cli.ts', 'index.ts'], // the command line and the library's entry
];

const pathOf = (names) => `^src/(${names.map((n) => n.replace(/\./g, '\\.') + (n.endsWith('.ts') ? '$' : '/')).join('|')})`;

module.exports = {
  forbidden: [
    ...LAYERS.slice(0, -1).map((layer, i) => ({
      name: `layer-${layer[0]}`,
      comment: `${layer.join(', ')} may not import from a higher layer (${LAYERS.slice(i + 1)
        .flat()
        .join(', ')})`,
      severity: 'error',
      from: { path: pathOf(layer) },
      to: { path: pathOf(LAYERS.slice(i + 1).flat()) },
    })),
    {
      name: 'no-circular',
      comment: 'import cycles make the layering meaningless',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'src-in-layers',
      comment: 'every module of src/ belongs to a layer above',
      severity: 'error',
      from: { path: '^src/', pathNot: pathOf(LAYERS.flat()) },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
