// The validators of test/ci-formats.ts bite: each rejects what its consumer rejects, so a
// passing format test means something.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { annotationProblems, codeQualityProblems, junitErrors, sarifProblems, workflowCommands } from './ci-formats.js';

const VALID_JUNIT = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<testsuites name="spylog" tests="1" failures="1" errors="0" time="0.012">',
  '  <testsuite name="s" tests="1" failures="1" errors="0" skipped="0" time="0.012">',
  '    <testcase classname="spylog.a.blocks" name="true-leak: X, 1 byte" time="0"><failure message="m" type="true-leak">x</failure></testcase>',
  '  </testsuite>',
  '</testsuites>',
].join('\n');

test('junit-10.xsd: accepts the shape spylog writes, rejects what Jenkins xUnit rejects', () => {
  assert.deepEqual(junitErrors(VALID_JUNIT), []);
  const rejected: [string, RegExp][] = [
    [
      VALID_JUNIT.replace('time="0.012">\n  <testsuite', 'time="0.012" skipped="0">\n  <testsuite'),
      /attribute 'skipped': The attribute 'skipped' is not allowed/,
    ],
    [VALID_JUNIT.replace(/time="0\.012"/g, 'time="0.0123"'), /time/],
    [VALID_JUNIT.replace('time="0"', 'time="0" file="a.cpp"'), /attribute 'file'/],
    [VALID_JUNIT.replace(' errors="0" skipped', ' skipped'), /errors/],
    [VALID_JUNIT.replace('</testsuites>', ''), /./],
  ];
  for (const [xml, why] of rejected) {
    const errors = junitErrors(xml);
    assert.notEqual(errors.length, 0, xml);
    assert.match(errors.join('\n'), why);
  }
});

const VALID_SARIF = {
  $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
  version: '2.1.0',
  runs: [
    {
      tool: {
        driver: {
          name: 'spylog',
          version: '0.1.0',
          rules: [{ id: 'r', shortDescription: { text: 's' }, fullDescription: { text: 'f' }, help: { text: 'h' } }],
        },
      },
      automationDetails: { id: 'spylog/a/' },
      results: [
        {
          ruleId: 'r',
          ruleIndex: 0,
          message: { text: 'm' },
          locations: [{ physicalLocation: { artifactLocation: { uri: 'a.log' }, region: { startLine: 3 } } }],
          partialFingerprints: { primaryLocationLineHash: '0123456789abcdef:1' },
        },
      ],
    },
  ],
};

test('SARIF: the OASIS schema and the GitHub rules reject what code scanning rejects or ignores', () => {
  assert.deepEqual(sarifProblems(VALID_SARIF), []);
  const broken = (f: (s: typeof VALID_SARIF) => void) => {
    const s = structuredClone(VALID_SARIF);
    f(s);
    return sarifProblems(s).join('\n');
  };
  /* eslint-disable @typescript-eslint/no-explicit-any */
  assert.match(
    broken((s) => delete (s.runs[0]!.results[0] as any).message),
    /schema: .*message/,
  );
  assert.match(
    broken((s) => delete (s.runs[0]!.results[0]!.locations[0]!.physicalLocation.region as any).startLine),
    /region is not any of/,
  );
  assert.match(
    broken((s) => delete (s.runs[0]!.tool.driver.rules[0] as any).help),
    /help\.text is required/,
  );
  assert.match(
    broken((s) => delete (s.runs[0] as any).automationDetails),
    /automationDetails\.id missing/,
  );
  assert.match(
    broken((s) => (s.runs[0]!.results[0]!.partialFingerprints = { 'spylogBlock/v1': 'x' } as any)),
    /primaryLocationLineHash missing/,
  );
  /* eslint-enable @typescript-eslint/no-explicit-any */
  assert.match(
    broken((s) => s.runs[0]!.results.push(structuredClone(s.runs[0]!.results[0]!))),
    /one alert/,
  );
});

test('Code Quality: GitLab schema and documented fields', () => {
  const ok = { description: 'd', check_name: 'c', fingerprint: 'f', severity: 'major', location: { path: 'a/b.csv', lines: { begin: 3 } } };
  assert.deepEqual(codeQualityProblems([ok]), []);
  assert.match(codeQualityProblems({}).join(), /single JSON array/);
  const bad = { ...ok, severity: 'error', location: { path: 'C:\\a\\b.csv', lines: { begin: '3' } } };
  const problems = codeQualityProblems([ok, bad]).join('\n');
  assert.match(problems, /severity "error"/);
  assert.match(problems, /not relative/);
  assert.match(problems, /schema: .*begin/);
  assert.match(problems, /fingerprint equals \[0\]/);
});

test('annotations: parsed as the runner parses them; more than 10 of a kind and stray commands are flagged', () => {
  const text = '::error file=a%2Cb.csv,line=6,title=spylog%3A x::100%25 of 2%0Alines\nplain ::error:: mid-line\n';
  assert.deepEqual(workflowCommands(text), [
    { command: 'error', properties: { file: 'a,b.csv', line: '6', title: 'spylog: x' }, message: '100% of 2\nlines' },
  ]);
  assert.deepEqual(annotationProblems(text), []);
  assert.match(annotationProblems('::add-mask::x\n').join(), /not an annotation/);
  assert.match(annotationProblems('::error::x\n'.repeat(11)).join(), /11 ::error::/);
});
