// Hand-written streams where a JavaScript reading of YAML and Go's (sigs.k8s.io/yaml, kubectl, Helm) can differ.

/** Hostile is one case: its bytes, and whether webhook-guard must accept it (valid input it need not edit). */
export interface Hostile {
  input: string;
  /** True when the input is valid for Go and needs no edit that webhook-guard cannot make: refusing it is wrong. */
  accept?: boolean;
}

const NS = 'evil-system';

// The webhook every case hides in some way: Fail, its backend in evil-system, no namespaceSelector.
const WEBHOOK = [
  '- name: evil.example.com',
  '  failurePolicy: Fail',
  '  clientConfig:',
  '    service:',
  '      name: evil',
  `      namespace: ${NS}`,
  '  sideEffects: None',
  '  admissionReviewVersions: ["v1"]',
  '  rules:',
  '  - operations: ["CREATE"]',
  '    apiGroups: ["*"]',
  '    apiVersions: ["*"]',
  '    resources: ["pods"]',
];
// The same webhook on every resource: a Fail webhook on Nodes and CSRs must also skip them (guard-cluster-scoped).
const ALL = WEBHOOK.map((l) => l.replace('resources: ["pods"]', 'resources: ["*"]'));
const FLOW_WEBHOOK =
  `{name: evil.example.com, failurePolicy: Fail, clientConfig: {service: {name: evil, namespace: ${NS}}}, ` +
  `sideEffects: None, admissionReviewVersions: [v1], rules: [{operations: [CREATE], apiGroups: ["*"], ` +
  `apiVersions: ["*"], resources: [pods]}]}`;
const JSON_WEBHOOK = JSON.stringify({
  name: 'evil.example.com',
  failurePolicy: 'Fail',
  clientConfig: { service: { name: 'evil', namespace: NS } },
  sideEffects: 'None',
  admissionReviewVersions: ['v1'],
  rules: [{ operations: ['CREATE'], apiGroups: ['*'], apiVersions: ['*'], resources: ['pods'] }],
});
const AV = 'apiVersion: admissionregistration.k8s.io/v1';
const VWC = 'ValidatingWebhookConfiguration';
const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  a: b\n';
// The webhook's backend: one replica with leader election, which webhook-replicas scales and gives a PDB.
const BACKEND = [
  'apiVersion: v1',
  'kind: Service',
  'metadata: {name: evil, namespace: evil-system}',
  'spec: {selector: {app: evil}, ports: [{port: 443, targetPort: 9443}]}',
  '---',
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata: {name: evil, namespace: evil-system}',
  'spec:',
  '  replicas: 1',
  '  selector: {matchLabels: {app: evil}}',
  '  template:',
  '    metadata: {labels: {app: evil}}',
  "    spec: {containers: [{name: m, image: i, args: ['--leader-elect'], ports: [{containerPort: 9443}]}]}",
  '',
].join('\n');

const lines = (...ls: string[]) => ls.join('\n') + '\n';
/** vwc writes the webhook configuration with `kindLine` as its kind line and `extra` lines after metadata. */
const vwc = (kindLine = `kind: ${VWC}`, extra: string[] = [], webhook: string[] = WEBHOOK) =>
  lines(AV, kindLine, 'metadata:', '  name: evil', ...extra, 'webhooks:', ...webhook);
const webhookWith = (...extra: string[]) => [...WEBHOOK.slice(0, 1), ...extra, ...WEBHOOK.slice(1)];
const withoutFail = WEBHOOK.filter((l) => !l.includes('failurePolicy'));
const HUGE = 'x'.repeat(1100 * 1024);
const KYVERNO_HOOKS = JSON.stringify({ namespaceSelector: { matchExpressions: [] } });

/** HOSTILE: each construct of issue 11, and more found along the way. */
export const HOSTILE: Record<string, Hostile> = {
  // The kind written so that a pattern on the text does not see it.
  'kind with a \\u escape': { input: vwc('kind: "ValidatingWebhook\\u0043onfiguration"') },
  'kind with a \\x escape': { input: vwc('kind: "ValidatingWebhook\\x43onfiguration"') },
  'kind with a \\U escape': { input: vwc('kind: "ValidatingWebhook\\U00000043onfiguration"') },
  'kind as !!binary': { input: vwc(`kind: !!binary ${Buffer.from(VWC).toString('base64')}`) },
  'kind with a !!str tag': { input: vwc(`kind: !!str ${VWC}`) },
  'kind with a verbatim tag': { input: vwc(`kind: !<tag:yaml.org,2002:str> ${VWC}`) },
  'kind with an anchor': { input: vwc(`kind: &k ${VWC}`) },
  'kind as a double-quoted key': { input: vwc(`"kind": ${VWC}`) },
  'kind as a single-quoted key': { input: vwc(`'kind': ${VWC}`) },
  'kind key with an escape': { input: vwc(`"k\\x69nd": ${VWC}`) },
  'kind as an explicit key': { input: vwc(`? kind\n: ${VWC}`) },
  'kind on the next line': { input: vwc(`kind:\n  ${VWC}`) },
  'kind split by an escaped line break': { input: vwc('kind: "ValidatingWebhook\\\n  Configuration"') },
  'kind twice, the webhook kind last': { input: vwc(`kind: ConfigMap`, [`kind: ${VWC}`]) },
  'kind twice, the webhook kind first': { input: vwc(`kind: ${VWC}`, ['kind: ConfigMap']) },
  'kind twice, quoted key last': { input: vwc(`kind: ConfigMap`, [`"kind": ${VWC}`]) },
  'kind twice, the webhook kind last on the next line': { input: vwc(`kind: ConfigMap`, ['kind:', `  ${VWC}`]) },
  'kind twice, the webhook kind last under an anchor': { input: vwc(`kind: ConfigMap`, [`kind: &k ${VWC}`]) },
  'kind twice, the webhook kind last with a tag': { input: vwc(`kind: ConfigMap`, [`kind: !!str ${VWC}`]) },
  'kind from a merge key': { input: lines(AV, `<<: {kind: ${VWC}}`, 'metadata:', '  name: evil', 'webhooks:', ...WEBHOOK) },
  'kind after a merge key that also sets it': { input: vwc(`kind: ConfigMap`, [`<<: {kind: ${VWC}}`]) },

  // Line breaks Go honours (YAML 1.1: NEL, LS, PS) that JavaScript patterns read differently, and the reverse.
  'NEL in a comment hides the kind': { input: vwc(`kind: ConfigMap # note\u0085kind: ${VWC}`) },
  'LS in a comment hides the kind': { input: vwc(`kind: ConfigMap # note\u2028kind: ${VWC}`) },
  'PS in a comment hides the kind': { input: vwc(`kind: ConfigMap # note\u2029kind: ${VWC}`) },
  'NEL in a comment hides failurePolicy': {
    input: vwc(undefined, [], webhookWith('  failurePolicy: Ignore', `  sideEffects: None # x\u0085  failurePolicy: Fail`)),
  },
  'LS in a comment hides failurePolicy': {
    input: vwc(undefined, [], webhookWith('  failurePolicy: Ignore', `  sideEffects: None # x\u2028  failurePolicy: Fail`)),
  },
  'NEL in a comment hides a second webhook': {
    input: vwc(
      undefined,
      [],
      [...WEBHOOK.map((l) => l.replace('evil.example.com', 'first.example.com')), `# x\u0085${WEBHOOK[0]}`, ...WEBHOOK.slice(1)],
    ),
  },
  'a decoy kind after LS in a string': { input: vwc(`kind: ${VWC}`, [`  annotations: {note: "x\u2028kind: ConfigMap"}`]) },
  'a decoy kind after LS in a plain scalar': {
    input: lines(AV, `kind: ${VWC}`, `note: x\u2028kind: ConfigMap`, 'metadata:', '  name: evil', 'webhooks:', ...WEBHOOK),
  },
  'a decoy kind after a lone CR in a comment': { input: vwc(`kind: ${VWC} # x\rkind: ConfigMap`) },
  'a NEL line break before the kind': { input: vwc(`\u0085kind: ${VWC}`) },

  // Flow style.
  'flow style, kind followed by a comma': {
    input: `{${AV.replace(': ', ': ')},\nkind: ${VWC},\nmetadata: {name: evil},\nwebhooks: [${FLOW_WEBHOOK}]}\n`,
  },
  'flow style on one line': { input: `{${AV}, kind: ${VWC}, metadata: {name: evil}, webhooks: [${FLOW_WEBHOOK}]}\n` },
  'flow style, kind quoted with a comma': {
    input: `{${AV},\n"kind": "${VWC}",\nmetadata: {name: evil},\nwebhooks: [${FLOW_WEBHOOK}]}\n`,
  },
  'under-indented flow sequence of webhooks': {
    input: lines(AV, `kind: ${VWC}`, 'metadata:', '  name: evil', 'webhooks: [', FLOW_WEBHOOK, ']'),
  },
  'under-indented flow map in a webhook configuration': {
    input: lines('metadata: {', 'name: evil', '}', AV, `kind: ${VWC}`, 'webhooks:', ...WEBHOOK),
  },
  'under-indented flow map with a plain kind': {
    input: lines('apiVersion: v1', 'kind: ConfigMap', 'metadata: {', 'name: plain', '}', 'data: {', 'a: b', '}'),
    accept: true,
  },
  'under-indented flow in a List with a plain kind': {
    input: lines('apiVersion: v1', 'kind: List', 'items: [', '{apiVersion: v1, kind: ConfigMap, metadata: {name: c}}', ']'),
    accept: true,
  },
  'flow mapping split over lines with the kind inside': {
    input: lines('{', AV + ',', `kind: ${VWC},`, 'metadata: {name: evil},', `webhooks: [${FLOW_WEBHOOK}]`, '}'),
  },

  // Objects with items: Go applies the items.
  'a List holding the webhook': {
    input: lines(
      'apiVersion: v1',
      'kind: List',
      'items:',
      `- ${AV}`,
      `  kind: ${VWC}`,
      '  metadata:',
      '    name: evil',
      '  webhooks:',
      ...WEBHOOK.map((l) => '  ' + l),
    ),
  },
  'a ...List kind holding the webhook': {
    input: lines(
      AV,
      `kind: ${VWC}List`,
      'items:',
      `- ${AV}`,
      `  kind: ${VWC}`,
      '  metadata:',
      '    name: evil',
      '  webhooks:',
      ...WEBHOOK.map((l) => '  ' + l),
    ),
  },
  'a ConfigMap with items holding the webhook': {
    input: lines(
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: cm',
      'items:',
      `- ${AV}`,
      `  kind: ${VWC}`,
      '  metadata:',
      '    name: evil',
      '  webhooks:',
      ...WEBHOOK.map((l) => '  ' + l),
    ),
  },
  'an unknown kind with items holding the webhook': {
    input: lines(
      'apiVersion: example.com/v1',
      'kind: Whatever',
      'metadata:',
      '  name: w',
      'items:',
      `- ${AV}`,
      `  kind: ${VWC}`,
      '  metadata:',
      '    name: evil',
      '  webhooks:',
      ...WEBHOOK.map((l) => '  ' + l),
    ),
  },
  'a webhook configuration whose items hold another': {
    input: vwc(
      undefined,
      [],
      [
        ...WEBHOOK.map((l) => l.replace('Fail', 'Ignore')),
        'items:',
        `- ${AV}`,
        `  kind: ${VWC}`,
        '  metadata:',
        '    name: inner',
        '  webhooks:',
        ...WEBHOOK.map((l) => '  ' + l),
      ],
    ),
  },
  'a List in flow style': {
    input: `{apiVersion: v1, kind: List, items: [{${AV}, kind: ${VWC}, metadata: {name: evil}, webhooks: [${FLOW_WEBHOOK}]}]}\n`,
  },
  'a List nested in a List': {
    input: lines(
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: v1',
      '  kind: List',
      '  items:',
      `  - ${AV}`,
      `    kind: ${VWC}`,
      '    metadata:',
      '      name: evil',
      '    webhooks:',
      ...WEBHOOK.map((l) => '    ' + l),
    ),
  },
  'a List with items twice, the webhook last': {
    input: lines(
      'apiVersion: v1',
      'kind: List',
      'items: []',
      'items:',
      `- ${AV}`,
      `  kind: ${VWC}`,
      '  metadata:',
      '    name: evil',
      '  webhooks:',
      ...WEBHOOK.map((l) => '  ' + l),
    ),
  },
  'a List over the item-by-item bound with items twice': {
    input: lines(
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: v1',
      '  kind: ConfigMap',
      '  metadata:',
      '    name: big',
      '  data:',
      `    big: ${HUGE}`,
      'items:',
      `- ${AV}`,
      `  kind: ${VWC}`,
      '  metadata:',
      '    name: evil',
      '  webhooks:',
      ...WEBHOOK.map((l) => '  ' + l),
    ),
  },

  // Merge keys after an explicit key: go-yaml v2 lets the merged value win.
  'merge key after failurePolicy': {
    input: lines(
      AV,
      `kind: ${VWC}`,
      'metadata:',
      '  name: evil',
      'x-defaults: &d',
      '  failurePolicy: Fail',
      'webhooks:',
      ...ALL.map((l) => l.replace('failurePolicy: Fail', 'failurePolicy: Ignore')),
      '  <<: *d',
    ),
  },
  'merge key before failurePolicy (the explicit key wins)': {
    input: lines(
      AV,
      `kind: ${VWC}`,
      'metadata:',
      '  name: evil',
      'x-defaults: &d',
      '  failurePolicy: Ignore',
      'webhooks:',
      ALL[0],
      '  <<: *d',
      ...ALL.slice(1),
    ),
  },
  'merge key after namespaceSelector': {
    input: lines(
      AV,
      `kind: ${VWC}`,
      'metadata:',
      '  name: evil',
      'x-defaults: &d',
      '  namespaceSelector: {}',
      'webhooks:',
      ...webhookWith(
        '  namespaceSelector:',
        '    matchExpressions:',
        '    - {key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system, evil-system]}',
        '  <<: *d',
      ),
    ),
  },
  'merge key list after failurePolicy': {
    input: lines(
      AV,
      `kind: ${VWC}`,
      'metadata:',
      '  name: evil',
      'x-a: &a {failurePolicy: Fail}',
      'x-b: &b {sideEffects: None}',
      'webhooks:',
      ...ALL.map((l) => l.replace('failurePolicy: Fail', 'failurePolicy: Ignore')),
      '  <<: [*a, *b]',
    ),
  },

  // Document boundaries.
  'two JSON objects without ---': {
    input:
      `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}\n` +
      `{"apiVersion":"admissionregistration.k8s.io/v1","kind":"${VWC}",` +
      `"metadata":{"name":"evil"},"webhooks":[${JSON_WEBHOOK}]}\n`,
  },
  'two JSON objects on one line': {
    input:
      `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}} ` +
      `{"apiVersion":"admissionregistration.k8s.io/v1","kind":"${VWC}",` +
      `"metadata":{"name":"evil"},"webhooks":[${JSON_WEBHOOK}]}\n`,
  },
  'a JSON webhook configuration': {
    input:
      `{"apiVersion":"admissionregistration.k8s.io/v1","kind":"${VWC}",` +
      `"metadata":{"name":"evil"},"webhooks":[${JSON_WEBHOOK}]}\n`,
  },
  'a JSON kind with a \\u escape': {
    input:
      `{"apiVersion":"admissionregistration.k8s.io/v1","kind":"ValidatingWebhook\\u0043onfiguration",` +
      `"metadata":{"name":"evil"},"webhooks":[${JSON_WEBHOOK}]}\n`,
  },
  'a JSON object with kind twice': {
    input:
      `{"apiVersion":"admissionregistration.k8s.io/v1","kind":"ConfigMap",` +
      `"metadata":{"name":"evil"},"webhooks":[${JSON_WEBHOOK}],"kind":"${VWC}"}\n`,
  },
  // A null inside a flow collection, which Go reads as absent: the edit writes its value in flow style there (it used
  // to write block style inside the flow collection and fail).
  ...Object.fromEntries(
    (
      [
        ['"matchExpressions":null', { namespaceSelector: { matchExpressions: null } }],
        [
          '"values":null in a NotIn expression',
          { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: null }] } },
        ],
        ['"matchConditions":null', { matchConditions: null }],
      ] as const
    ).map(([what, fields]) => [
      `a JSON webhook configuration with ${what}`,
      {
        input:
          BACKEND +
          '---\n' +
          JSON.stringify({
            apiVersion: 'admissionregistration.k8s.io/v1',
            kind: VWC,
            metadata: { name: 'evil' },
            webhooks: [{ ...JSON.parse(JSON_WEBHOOK), ...fields }],
          }) +
          '\n',
        accept: true,
      },
    ]),
  ),
  // Keys and items added to a flow collection go after its last member, in its layout: on lines of their own in
  // pretty-printed JSON, after comments and before a trailing comma in a YAML flow map (it used to be rewritten whole).
  'a pretty-printed JSON webhook configuration': {
    input:
      BACKEND +
      '---\n' +
      JSON.stringify(
        {
          apiVersion: 'admissionregistration.k8s.io/v1',
          kind: VWC,
          metadata: { name: 'evil' },
          webhooks: [JSON.parse(JSON_WEBHOOK)],
        },
        null,
        2,
      ) +
      '\n',
    accept: true,
  },
  'a YAML flow webhook over several lines, with comments and a trailing comma': {
    input:
      BACKEND +
      '---\n' +
      vwc(
        undefined,
        [],
        [
          '- {',
          '    name: evil.example.com,  # the webhook',
          '    failurePolicy: Fail,',
          `    clientConfig: {service: {name: evil, namespace: ${NS}}},`,
          '    sideEffects: None, admissionReviewVersions: [v1],',
          '    namespaceSelector: {matchExpressions: [{key: team, operator: DoesNotExist}]},  # teams opt out',
          '    rules: [{operations: [CREATE], apiGroups: ["*"], apiVersions: ["*"], resources: ["*"]}],  # everything',
          '  }',
        ],
      ),
    accept: true,
  },
  'a flow-style namespaceSelector with matchExpressions: null': {
    input: BACKEND + '---\n' + vwc(undefined, [], webhookWith('  namespaceSelector: {matchExpressions: null}')),
    accept: true,
  },
  // Go ends a plain scalar at a colon only before white space: inside a flow collection `p:,` is the text `p:` to it,
  // the key `p` to YAML 1.2. webhook-guard refuses such a document.
  'a flow namespaceSelector whose key has its colon right before a comma': {
    input:
      BACKEND +
      '---\n' +
      vwc(
        undefined,
        [],
        webhookWith('  namespaceSelector: {matchLabels:, matchExpressions: [{key: team, operator: DoesNotExist}]}'),
      ),
  },
  'a flow list item with its colon right before the closing bracket': {
    input:
      BACKEND +
      '---\n' +
      vwc(undefined, [], webhookWith('  namespaceSelector: {matchExpressions: [{key: team, operator: NotIn, values: [a:]}]}')),
  },
  'separator followed by a form feed': { input: CM + '---\f\n' + vwc() },
  'separator followed by a vertical tab': { input: CM + '---\v\n' + vwc() },
  'separator followed by NEL': { input: CM + '---\u0085\n' + vwc() },
  'separator followed by a no-break space': { input: CM + '---\u00a0\n' + vwc() },
  'separator followed by an ideographic space': { input: CM + '---\u3000\n' + vwc() },
  'separator followed by a lone CR': { input: CM + '---\r' + vwc() },
  // Go refuses the whole stream for what follows these dashes ("invalid Yaml document separator"), wherever the line is.
  'separator with a tag': { input: CM + '--- !!map\n' + vwc() },
  'separator with an anchor': { input: CM + '--- &a\n' + vwc() },
  'separator with a value': { input: CM + '--- x\n' + vwc() },
  'four dashes': { input: CM + '----\n' + vwc() },
  'separator with a tag as the first line': { input: '--- !!map\n' + vwc() },
  'separator with a tag as the last line': { input: CM + '---\n' + vwc() + '--- !!map\n' },
  // Go drops a `---#…` line that ends a document (YAML reads it as text), and keeps it where it has read nothing since the
  // last separator it dropped: then it is YAML text.
  'a comment right after the dashes': { input: CM + '---#x\n' + vwc(), accept: true },
  'a comment right after the dashes as the last line': { input: CM + '---\n' + vwc() + '---#x\n', accept: true },
  'a comment right after the dashes as the first line': { input: '---#x\n' + vwc() },
  'a comment right after the dashes, after a separator': { input: CM + '---\n---#x\n' + vwc() },
  'a comment right after the dashes, after a JSON object': {
    input: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"j"}}\n---#x\n' + vwc(),
  },
  'a comment after a tab after the dashes': { input: CM + '---\t#x\n' + vwc(), accept: true },
  'a comment after a space after the dashes, as the first line': { input: '--- #x\n' + vwc(), accept: true },
  'a document after ... with no ---': { input: CM + '...\n' + vwc() },
  'a document after ... with a comment and no ---': { input: CM + '... # end\n' + vwc() },
  '%YAML 1.1 directive mid-stream': { input: CM + '%YAML 1.1\n---\n' + vwc(), accept: true },
  // A PodDisruptionBudget is added after the Deployment: the directive still opens the next document (it once got a
  // `---` of its own, which left it alone in a chunk Go cannot read; found by the Go differential fuzz).
  '%YAML 1.1 directive after a document that gets one added': { input: BACKEND + '%YAML 1.1\n---\n' + vwc(), accept: true },
  'lone-CR line endings': { input: (CM + '---\n' + vwc()).replace(/\n/g, '\r'), accept: true },
  'CRLF line endings': { input: (CM + '---\n' + vwc()).replace(/\n/g, '\r\n'), accept: true },
  'a BOM before a later document': { input: CM + '---\n\ufeff' + vwc() },

  // Kyverno's ConfigMap.
  'Kyverno ConfigMap as JSON': {
    input:
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'kyverno', namespace: 'kyverno' },
        data: { webhooks: KYVERNO_HOOKS },
      }) + '\n',
  },
  'Kyverno ConfigMap with a quoted data key': {
    input: lines(
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: kyverno',
      '  namespace: kyverno',
      '"data":',
      `  webhooks: '${KYVERNO_HOOKS}'`,
    ),
  },
  'Kyverno ConfigMap with data in flow style': {
    input: lines(
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: kyverno',
      '  namespace: kyverno',
      `data: {webhooks: '${KYVERNO_HOOKS}'}`,
    ),
  },
  'Kyverno ConfigMap with a quoted webhooks key': {
    input: lines(
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: kyverno',
      '  namespace: kyverno',
      'data:',
      `  "webhooks": '${KYVERNO_HOOKS}'`,
    ),
  },
  'Kyverno ConfigMap with webhooks twice': {
    input: lines(
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: kyverno',
      '  namespace: kyverno',
      'data:',
      `  webhooks: '[]'`,
      `  webhooks: '${KYVERNO_HOOKS}'`,
    ),
  },

  // Values: failurePolicy and the webhook's fields as Go reads them.
  'failurePolicy twice, Fail last': { input: vwc(undefined, [], webhookWith('  failurePolicy: Ignore').reverse().reverse()) },
  'failurePolicy missing (v1 default Fail)': { input: vwc(undefined, [], withoutFail) },
  'webhooks twice, the Fail one last': { input: vwc(undefined, ['webhooks: []']) },
  'failurePolicy with an escape': {
    input: vwc(
      undefined,
      [],
      WEBHOOK.map((l) => l.replace('failurePolicy: Fail', 'failurePolicy: "F\\x61il"')),
    ),
  },
  'service namespace written 0o17': {
    input: vwc(
      undefined,
      [],
      WEBHOOK.map((l) => l.replace(`namespace: ${NS}`, 'namespace: 0o17')),
    ),
  },
  'namespaceSelector as !!null': { input: vwc(undefined, [], webhookWith('  namespaceSelector: !!null')) },
  'namespaceSelector with a NotIn value 0o17': {
    input: vwc(
      undefined,
      [],
      webhookWith(
        '  namespaceSelector:',
        '    matchExpressions:',
        '    - {key: kubernetes.io/metadata.name, operator: NotIn, values: [0o17]}',
      ),
    ),
  },
  // Written values: a namespace name Go reads as a number when written plain must come out quoted in NotIn.
  ...Object.fromEntries(
    ['0o17', '0x1f', '0b1', '017', '1e3', '1_0', '2001-12-14', '0o7e1'].map((ns) => [
      `backend namespace "${ns}", which Go reads as a number or a time when plain`,
      {
        input: vwc(
          undefined,
          [],
          WEBHOOK.map((l) => l.replace(`namespace: ${NS}`, `namespace: "${ns}"`)),
        ),
      },
    ]),
  ),
  'a deep tab-indented comment block': { input: vwc(`kind: ${VWC}`, ['\t# tabbed comment']) },
  // Found by the fuzzer: a configuration whose metadata is empty (no name; the API server refuses it), with a Fail
  // webhook on a custom resource only, which nothing a backend needs goes through: left alone, with a note.
  'a configuration with empty metadata, its webhook on a custom resource only': {
    input: lines(
      AV,
      `kind: ${VWC}`,
      'metadata:',
      'webhooks:',
      ...WEBHOOK.map((l) => l.replace('apiGroups: ["*"]', 'apiGroups: ["example.com"]').replace('"pods"', '"widgets"')),
    ),
    accept: true,
  },
};
