// Generates large synthetic renders for the scaling benchmark: many webhook charts, each with a big CRD.

/**
 * chart renders one Helm-style webhook chart, numbered `i`: a namespace, RBAC, a ConfigMap, the
 * webhook Service and Deployment (one replica, so webhook-guard has work to do), a mutating and a
 * validating webhook configuration, and a CustomResourceDefinition of roughly `crdBytes` bytes.
 */
export function chart(i: number, crdBytes: number): string {
  const ns = `team-${i}`;
  const app = `guard-${i}`;
  const labels = `    app.kubernetes.io/name: ${app}\n    app.kubernetes.io/instance: ${app}\n    helm.sh/chart: ${app}-1.0.${i}`;
  const webhook = (kind: string, n: number): string =>
    `- name: ${kind}-${n}.${app}.example.com\n  admissionReviewVersions: ["v1"]\n  sideEffects: None\n  failurePolicy: Fail\n` +
    `  clientConfig:\n    service:\n      name: ${app}-webhook\n      namespace: ${ns}\n      path: /${kind}-${n}\n` +
    `  rules:\n  - apiGroups: [""]\n    apiVersions: ["v1"]\n    operations: ["CREATE", "UPDATE"]\n    resources: ["pods"]\n`;
  return [
    `---\n# Source: ${app}/templates/namespace.yaml\napiVersion: ` +
      `v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n  labels:\n${labels}\n`,
    `---\n# Source: ${app}/templates/serviceaccount.yaml\napiVersion: v1\nkind: ` +
      `ServiceAccount\nmetadata:\n  name: ${app}\n  namespace: ${ns}\n  labels:\n${labels}\n`,
    `---\n# Source: ${app}/templates/rbac.yaml\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n ` +
      ` name: ${app}\nrules:\n- apiGroups: [""]\n  resources: ["pods", "namespaces"]\n  verbs: ["get", "list", "watch"]\n`,
    `---\n# Source: ${app}/templates/configmap.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${app}-config\n ` +
      ` namespace: ${ns}\ndata:\n  config.yaml: |\n    logLevel: info   # yes, on\n    ---\n    port: 9443\n`,
    `---\n# Source: ${app}/templates/service.yaml\napiVersion: ` +
      `v1\nkind: Service\nmetadata:\n  name: ${app}-webhook\n  namespace: ` +
      `${ns}\n  labels:\n${labels}\nspec:\n  ports:\n  - port: 443\n    ` +
      `targetPort: 9443\n    name: https\n  selector:\n    app: ${app}\n`,
    `---\n# Source: ${app}/templates/deployment.yaml\napiVersion: ` +
      `apps/v1\nkind: Deployment\nmetadata:\n  name: ${app}-controller\n ` +
      ` namespace: ${ns}\n  labels:\n${labels}\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: ${app}\n  ` +
      `template:\n    metadata:\n      labels:\n        app: ${app}\n        app.kubernetes.io/name: ${app}\n        ` +
      `app.kubernetes.io/instance: ${app}\n    spec:\n      serviceAccountName: ` +
      `${app}\n      containers:\n      - name: manager\n        image: ` +
      `registry.example.com/${app}:v1.0.${i}\n        args:\n        - ` +
      `--webhook-port=9443\n        - --leader-elect\n        ports:\n ` +
      `       - containerPort: 9443\n          name: https\n        ` +
      `resources:\n          limits:\n            memory: 256Mi\n         ` +
      ` requests:\n            cpu: 100m\n        volumeMounts:\n       ` +
      ` - name: certs\n          mountPath: /certs\n          readOnly: ` +
      `true\n      volumes:\n      - name: certs\n        secret:\n   ` +
      `       secretName: ${app}-certs\n          defaultMode: 0444\n`,
    `---\n# Source: ${app}/templates/webhooks.yaml\napiVersion: admissionregistration.k8s.io/v1\nkind: ` +
      `MutatingWebhookConfiguration\nmetadata:\n  name: ${app}\n  ` +
      `labels:\n${labels}\nwebhooks:\n${webhook('mutate', 1)}${webhook('mutate', 2)}`,
    `---\n# Source: ${app}/templates/webhooks.yaml\napiVersion: admissionregistration.k8s.io/v1\nkind: ` +
      `ValidatingWebhookConfiguration\nmetadata:\n  name: ${app}\n  ` +
      `labels:\n${labels}\nwebhooks:\n${webhook('validate', 1)}${webhook('validate', 2)}`,
    crd(i, crdBytes),
  ].join('');
}

/** crd renders a CustomResourceDefinition with an OpenAPI schema of many described properties, about `bytes` long. */
export function crd(i: number, bytes: number): string {
  const group = `guard${i}.example.com`;
  const head =
    `---\n# Source: guard-${i}/crds/widgets.yaml\napiVersion: ` +
    `apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n` +
    `  name: widgets.${group}\n  annotations:\n    ` +
    `controller-gen.kubebuilder.io/version: v0.16.0\nspec:\n  group: ${group}\n  names:\n` +
    `    kind: Widget\n    listKind: WidgetList\n    plural: widgets\n   ` +
    ` singular: widget\n  scope: Namespaced\n  versions:\n  - name: v1\n` +
    `    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n ` +
    `       properties:\n          spec:\n            type: object\n            properties:\n`;
  const parts = [head];
  let size = head.length;
  for (let p = 0; size < bytes; p++) {
    const prop =
      `              field${p}:\n                description: |-\n                  ` +
      `Field ${p} of the widget: a long description as controller-gen writes them,\n` +
      `                  over two lines, with "quotes", colons: and # hashes that are not comments.\n` +
      `                type: object\n                properties:\n  ` +
      `                enabled:\n                    type: boolean\n` +
      `                  mode:\n                    type: string\n        ` +
      `            enum: ["on", "off", "yes"]\n                  count:\n` +
      `                    type: integer\n                    format: int32\n                    minimum: 0\n`;
    parts.push(prop);
    size += prop.length;
  }
  return parts.join('');
}

/** syntheticStream renders webhook charts until the stream reaches `bytes`; most bytes are CRDs, as in real renders. */
export function syntheticStream(bytes: number, crdBytes = 250_000): string {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const c = chart(i, Math.min(crdBytes, Math.max(1000, bytes - size - 8000)));
    parts.push(c);
    size += c.length;
  }
  return parts.join('');
}
