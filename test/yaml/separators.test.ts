// Lines that start with `---`, as Go's reader takes them: a separator (dropped, or kept where nothing was read since the last
// one), or an error for the whole stream; webhook-guard reads each as kubectl v1.35 does, or refuses it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { splitBytes } from '../../src/yaml/byte-stream.js';
import { readStream } from '../../src/yaml/read-stream.js';
import { splitStream, type Segment } from '../../src/yaml/stream.js';
import { config, lines, run } from '../support/helpers.js';

const A = lines('apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: a}');
const B = lines('apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: b}');

// Where the line goes: the stream's first line (line 1), between the documents (line 4), its last line (line 8).
const PLACES = {
  start: (sep: string) => `${sep}\n${A}---\n${B}`,
  middle: (sep: string) => `${A}${sep}\n${B}`,
  end: (sep: string) => `${A}---\n${B}${sep}\n`,
};
const LINE = { start: 1, middle: 4, end: 8 };
type Place = keyof typeof PLACES;

/** Want is the full message webhook-guard refuses with, given the line's number; or the names Go reads (kubectl v1.35). */
type Want = ((line: number) => string) | string[];

const invalid = (sep: string, column: number, what: string, fix: string) => (line: number) =>
  `line ${line}, column ${column}: \`${sep}\` is not a valid document separator for Kubernetes, which refuses the whole ` +
  `stream for it ("invalid Yaml document separator: ${what}"); ${fix}`;
const moveOrRemove = (what: string) =>
  `only white space and a comment may follow the dashes: end the line after \`---\` and put \`${what}\` on the next line, ` +
  'or remove it';
const dashes =
  'a separator is three dashes with only white space and a comment after them: write `---` (or `# ---` for a comment)';

// kubectl: `--- !!map`, `--- &a`, `--- x`, `----` fail the stream wherever they are ("invalid Yaml document separator");
// `---#x` is dropped where it ends a document, and read as YAML text as the stream's first line; the others are separators.
const cases: Record<string, Record<Place, Want>> = {
  '--- !!map': {
    start: invalid('--- !!map', 5, '!!map', moveOrRemove('!!map')),
    middle: invalid('--- !!map', 5, '!!map', moveOrRemove('!!map')),
    end: invalid('--- !!map', 5, '!!map', moveOrRemove('!!map')),
  },
  '--- &a': {
    start: invalid('--- &a', 5, '&a', moveOrRemove('&a')),
    middle: invalid('--- &a', 5, '&a', moveOrRemove('&a')),
    end: invalid('--- &a', 5, '&a', moveOrRemove('&a')),
  },
  '--- x': {
    start: invalid('--- x', 5, 'x', moveOrRemove('x')),
    middle: invalid('--- x', 5, 'x', moveOrRemove('x')),
    end: invalid('--- x', 5, 'x', moveOrRemove('x')),
  },
  '----': {
    start: invalid('----', 4, '-', dashes),
    middle: invalid('----', 4, '-', dashes),
    end: invalid('----', 4, '-', dashes),
  },
  '---#x': {
    start: (line) =>
      `line ${line}, column 4: \`---#x\` starts the stream, where Kubernetes reads it as YAML text, not as a document ` +
      'separator (YAML needs a space between `---` and a comment); write `--- #x`',
    middle: ['a', 'b'],
    end: ['a', 'b'],
  },
  '--- #x': { start: ['a', 'b'], middle: ['a', 'b'], end: ['a', 'b'] },
  '---\t#x': { start: ['a', 'b'], middle: ['a', 'b'], end: ['a', 'b'] },
  '---': { start: ['a', 'b'], middle: ['a', 'b'], end: ['a', 'b'] },
  '---   ': { start: ['a', 'b'], middle: ['a', 'b'], end: ['a', 'b'] },
};

// names reads the documents of a split as the model does, and gives their names.
const names = (segments: Segment[]): string[] =>
  readStream(segments, new Set(['ConfigMap']))
    .map((d) => (d.original as { metadata?: { name?: string } } | undefined)?.metadata?.name)
    .filter((n): n is string => n !== undefined);

// Each way in: the text split, the byte split, the byte split of CRLF lines (a text split on a view of the bytes), and the
// byte split of the stream after a byte order mark.
const bytes = (text: string): Segment[] => splitBytes(Buffer.from(text));
const WAYS: Record<string, { form: (text: string) => string; split: (text: string) => Segment[] }> = {
  text: { form: (text) => text, split: (text) => splitStream(text) },
  bytes: { form: (text) => text, split: bytes },
  'CRLF bytes': { form: (text) => text.replace(/\n/g, '\r\n'), split: bytes },
  'bytes after a byte order mark': { form: (text) => `\ufeff${text}`, split: bytes },
};

const table = suite('separator lines as Go reads them');
for (const [sep, places] of Object.entries(cases))
  for (const [place, want] of Object.entries(places) as Array<[Place, Want]>)
    for (const [way, { form, split }] of Object.entries(WAYS))
      table(`${JSON.stringify(sep)} at the ${place}, ${way}`, () => {
        const input = form(PLACES[place](sep));
        if (typeof want === 'function') {
          assert.throws(
            () => split(input),
            (err: Error) => err.message === want(LINE[place]),
          );
          return;
        }
        const segments = split(input);
        assert.equal(names(segments), want);
        // The split keeps every byte.
        assert.is(segments.map((s) => s.text).join(''), input);
      });
table.run();

const kept = suite('a `---#…` line Go keeps is refused; one it drops separates');

const keptCases: Record<string, { input: string; want: Want; line?: number }> = {
  'right after a separator that ended a document (Go reads `---#x` as text)': {
    input: `${A}---\n---#x\n${B}`,
    line: 5,
    want: (line) =>
      `line ${line}, column 4: \`---#x\` follows the separator on line 4, where Kubernetes reads it as YAML text, not as a ` +
      'document separator (YAML needs a space between `---` and a comment); write `--- #x`',
  },
  'after a separator Go keeps, which the one before dropped': { input: `${A}---\n---\n---#x\n${B}`, want: ['a', 'b'] },
  'after a comment line at the start': { input: `# c\n---#x\n${A}`, want: ['a'] },
  'after a blank line at the start': { input: `\n---#x\n${A}`, want: ['a'] },
  'after a `...` line': { input: `${A}...\n---#x\n${B}`, want: ['a', 'b'] },
  'after a JSON object that starts the stream': {
    input: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}\n---#x\n${B}`,
    line: 2,
    want: (line) =>
      `line ${line}, column 4: \`---#x\` is the first separator after the JSON object the stream starts with, where ` +
      'Kubernetes reads it as YAML text, not as a document separator (YAML needs a space between `---` and a comment); ' +
      'write `--- #x`',
  },
  'after a separator after a JSON object': {
    input: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}\n---\n---#x\n${B}`,
    want: ['a', 'b'],
  },
  'without a line feed at the end': { input: `${A}---#x`, want: ['a'] },
};
for (const [name, c] of Object.entries(keptCases))
  for (const [way, { form, split }] of Object.entries(WAYS))
    kept(`${name}, ${way}`, () => {
      const { want } = c;
      if (typeof want === 'function') {
        assert.throws(
          () => split(form(c.input)),
          (err: Error) => err.message === want(c.line!),
        );
        return;
      }
      assert.equal(names(split(form(c.input))), want);
    });
kept.run();

const written = suite('documents after a `---#…` separator, written');

const SVC = lines(
  'apiVersion: v1',
  'kind: Service',
  'metadata: {name: wh, namespace: wh-system}',
  'spec: {selector: {app: wh}, ports: [{port: 443}]}',
);
const MWC = lines(
  'apiVersion: admissionregistration.k8s.io/v1',
  'kind: MutatingWebhookConfiguration',
  'metadata: {name: wh}',
  'webhooks:',
  '- name: pods.wh.io',
  '  failurePolicy: Fail',
  '  clientConfig: {service: {name: wh, namespace: wh-system}}',
  '  rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]',
);
const SELECTOR = lines(
  '  namespaceSelector:',
  '    matchExpressions:',
  '    - key: kubernetes.io/metadata.name',
  '      operator: NotIn',
  '      values:',
  '      - wh-system',
  '      - kube-system',
);

written('an edited document keeps its separator line, and a second run changes nothing', () => {
  const input = `${SVC}---#x\n${MWC}`;
  const cfg = config(['exclude-namespaces']);
  const out = run(input, cfg).output;
  assert.fixture(out, `${SVC}---#x\n${MWC}${SELECTOR}`);
  assert.fixture(run(out, cfg).output, out);
});

written('a separator line that dropped documents would leave first is written with a space after the dashes', () => {
  const input = `${MWC}---\n---\n---#x\n${SVC}`;
  const cfg = config(['drop-webhooks'], { 'drop-webhooks': { enabled: true, configurations: ['wh'] } });
  assert.fixture(run(input, cfg).output, `---\n---\n--- #x\n${SVC}`);
});

written('after an added document the separator line stays as it is', () => {
  const deployment = lines(
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: wh, namespace: wh-system}',
    'spec:',
    '  replicas: 2',
    '  selector: {matchLabels: {app: wh}}',
    '  template:',
    '    metadata: {labels: {app: wh}}',
    '    spec: {containers: [{name: m, image: i, args: [--leader-elect]}]}',
  );
  const input = `${SVC}---\n${deployment}---#x\n${MWC}`;
  const out = run(input, config(['webhook-replicas'])).output;
  assert.match(out, /\nkind: PodDisruptionBudget\n(?:.*\n)*---#x\napiVersion: admissionregistration/);
  assert.not.match(out, /---\n---#x/);
});
written.run();
