package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// edit replaces old with new in one file of a copy of the repository (old == "" creates file).
type edit struct {
	file, old, new string
}

// copyRepo copies what the validator reads (k8s/, docs/operations.md and the runtime config
// readers) into a temporary root and applies the edits.
func copyRepo(t *testing.T, edits ...edit) string {
	t.Helper()
	src, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	copyFile := func(rel string) {
		data, err := os.ReadFile(filepath.Join(src, rel))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, rel), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	err = filepath.WalkDir(filepath.Join(src, "k8s"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(src, p)
			copyFile(rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"docs/operations.md", "runtime/config/config.cpp", "runtime/config/rules_config_yaml.cpp",
		"runtime/config/outreach_config_yaml.cpp"} {
		copyFile(f)
	}
	for _, e := range edits {
		path := filepath.Join(dst, e.file)
		if e.old == "" {
			if err := os.WriteFile(path, []byte(e.new), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), e.old) {
			t.Fatalf("%s does not contain %q; update the test", e.file, e.old)
		}
		data = []byte(strings.Replace(string(data), e.old, e.new, 1))
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func runValidation(t *testing.T, root string, cc *configChecker) []result {
	t.Helper()
	dirs, err := kustomizations(root)
	if err != nil {
		t.Fatal(err)
	}
	if cc == nil {
		cc, _ = newConfigChecker(root, "")
	}
	return validate(root, dirs, cc, false)
}

func TestShippedManifestsPass(t *testing.T) {
	results := runValidation(t, copyRepo(t), nil)
	if len(results) < 3 {
		t.Fatalf("expected base, dev and prod, got %d results", len(results))
	}
	for _, r := range results {
		if len(r.problems) > 0 {
			t.Errorf("%s: %v", r.dir, r.problems)
		}
	}
}

const (
	sts      = "k8s/base/statefulset.yaml"
	baseConf = "k8s/base/cxpulse.yaml"
	prodConf = "k8s/overlays/prod/cxpulse.yaml"

	dep         = "k8s/base/outreach-deployment.yaml"
	outConf     = "k8s/base/outreach.yaml"
	prodOutConf = "k8s/overlays/prod/outreach.yaml"
	netpol      = "k8s/base/networkpolicy.yaml"
	ingress     = "k8s/overlays/prod/ingress.yaml"
)

func TestEveryCheckCanFail(t *testing.T) {
	cases := []struct {
		name  string
		edits []edit
		want  string
	}{
		{"liveness path", []edit{{sts, "path: /healthz\n              port: http\n            periodSeconds: 10",
			"path: /health\n              port: http\n            periodSeconds: 10"}}, "livenessProbe path"},
		{"readiness port", []edit{{sts, "path: /readyz\n              port: http", "path: /readyz\n              port: 8080"}},
			"readinessProbe port"},
		{"readiness on healthz", []edit{{sts, "path: /readyz", "path: /healthz"}}, "readinessProbe path"},
		{"metrics target port", []edit{{"k8s/base/service-metrics.yaml", "targetPort: http", "targetPort: 9000"}},
			"not the container's http port"},
		{"monitor path", []edit{{"k8s/base/servicemonitor.yaml", "path: /metrics", "path: /stats"}}, "path \"/stats\""},
		{"monitor port", []edit{{"k8s/base/servicemonitor.yaml", "- port: metrics", "- port: web"}},
			"endpoint port does not name"},
		{"monitor selects both services", []edit{{"k8s/base/servicemonitor.yaml",
			"      app.kubernetes.io/component: metrics\n", ""}}, "selects 3 Services"},
		{"unknown field", []edit{{sts, "  minReadySeconds: 10", "  minReadySeconds: 10\n  replica: 3"}}, "unknown field"},
		{"wrong type", []edit{{sts, "minReadySeconds: 10", "minReadySeconds: ten"}}, "schema"},
		{"unknown apiVersion", []edit{{"k8s/base/poddisruptionbudget.yaml", "policy/v1", "policy/v1beta2"}},
			"no schema known"},
		{"bad label value", []edit{{"k8s/base/serviceaccount.yaml", "app.kubernetes.io/name: cxpulse", "app.kubernetes.io/name: cx pulse"}},
			"metadata.labels"},
		{"writable root", []edit{{sts, "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"}},
			"readOnlyRootFilesystem"},
		{"capabilities kept", []edit{{sts, "- ALL", "- NET_RAW"}}, "capabilities.drop must contain ALL"},
		{"privilege escalation", []edit{{sts, "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true"}},
			"allowPrivilegeEscalation"},
		{"no seccomp", []edit{{sts, "type: RuntimeDefault", "type: Unconfined"}}, "seccompProfile"},
		{"instance id", []edit{{sts, "fieldPath: metadata.name", "fieldPath: metadata.uid"}}, "CXPULSE_INSTANCE_ID"},
		{"short grace", []edit{{sts, "terminationGracePeriodSeconds: 30", "terminationGracePeriodSeconds: 5"}},
			"terminationGracePeriodSeconds 5"},
		{"no limits", []edit{{sts, "            limits:\n              cpu: \"2\"\n", "            limits:\n"}},
			"must both set cpu"},
		{"config key typo", []edit{{baseConf, "cache_customers:", "cache_customer:"}},
			"state.cache_customer is not read"},
		{"config rules key typo", []edit{{baseConf, "rage_clicks:", "rage_click:"}}, "rules.selfservice.rage_click"},
		{"listen port", []edit{{prodConf, "listen: 0.0.0.0:9464", "listen: 0.0.0.0:9000"}}, "http.listen"},
		{"state dir", []edit{{baseConf, "dir: /var/lib/cxpulse", "dir: /data"}}, "state.dir \"/data\""},
		{"env not set", []edit{{prodConf, "sasl.password: ${KAFKA_SASL_PASSWORD}", "sasl.password: ${KAFKA_PASSWORD}"}},
			"container does not set KAFKA_PASSWORD"},
		{"CA not mounted", []edit{{prodConf, "/etc/cxpulse-tls/ca.crt", "/etc/cxpulse-tls/ca.pem"}},
			"no item with path \"ca.pem\""},
		{"rules differ", []edit{{prodConf, "call_target: 20s", "call_target: 30s"}}, "rules: section differs"},
		{"broker port blocked", []edit{{"k8s/base/networkpolicy.yaml", "        - port: 9093\n          protocol: TCP\n", ""}},
			"broker port 9093"},
		{"pdb selects nothing", []edit{{"k8s/base/poddisruptionbudget.yaml", "component: processor", "component: proc"}},
			"PodDisruptionBudget cxpulse does not select"},
		{"not headless", []edit{{"k8s/base/service-headless.yaml", "  clusterIP: None\n", ""}}, "must be headless"},
		{"prod image latest", []edit{{"k8s/overlays/prod/kustomization.yaml", "newTag: 0.1.0", "newTag: latest"}},
			"must be pinned"},
		{"secret undocumented", []edit{{"docs/operations.md", "`sasl-password`", "sasl-password"}},
			"does not document `sasl-password`"},
		{"secret committed", []edit{
			{"k8s/overlays/dev/secret.yaml", "", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: cxpulse-kafka\nstringData:\n  sasl-password: hunter2\n"},
			{"k8s/overlays/dev/kustomization.yaml", "  - ../../base\n", "  - ../../base\n  - secret.yaml\n"}},
			"never committed"},
		{"namespace not created", []edit{{"k8s/overlays/dev/kustomization.yaml", "  - namespace.yaml\n", ""}},
			"no Namespace resource creates it"},
		{"alert without severity", []edit{{"k8s/base/prometheusrule.yaml", "            severity: critical\n", "            team: cx\n"}},
			"needs a severity label"},
		{"alert on another job", []edit{{"k8s/base/prometheusrule.yaml", "up{job=\"cxpulse-metrics\"} == 0", "up{job=\"cxpulse\"} == 0"}},
			"filters on a job other than cxpulse-metrics"},
		// The outreach service (`cxpulse outreach`): its Deployment, config, wiring and Ingress.
		{"outreach readiness path", []edit{{dep, "path: /readyz", "path: /healthz"}}, "outreach: container: readinessProbe path"},
		{"outreach args", []edit{{dep, "            - outreach\n", "            - run\n"}}, "outreach: container: args must be [outreach"},
		{"outreach writable root", []edit{{dep, "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"}},
			"outreach: container cxpulse: readOnlyRootFilesystem"},
		{"outreach no limits", []edit{{dep, "            limits:\n              cpu: \"1\"\n", "            limits:\n"}},
			"outreach: container: resources.requests and limits must both set cpu"},
		{"outreach one replica", []edit{{dep, "replicas: 2", "replicas: 1"}}, "spec.replicas must be at least 2"},
		{"outreach short grace", []edit{{dep, "terminationGracePeriodSeconds: 20", "terminationGracePeriodSeconds: 5"}},
			"not longer than outreach.command_timeout"},
		{"outreach listen port", []edit{{outConf, "listen: 0.0.0.0:9465", "listen: 0.0.0.0:9000"}}, "outreach.listen"},
		{"outreach other alerts topic", []edit{{outConf, "alerts: cx.alerts ", "alerts: cx.alert "}},
			"is not the processors' kafka.topics.alerts"},
		{"outreach other brokers", []edit{{prodOutConf, "bootstrap_servers: kafka-bootstrap.kafka.svc.cluster.local:9093",
			"bootstrap_servers: kafka-2.kafka.svc.cluster.local:9093"}}, "kafka.bootstrap_servers \"kafka-2"},
		{"outreach rep token not set", []edit{{dep, "- name: CXPULSE_REP_SUPERVISOR", "- name: CXPULSE_REP_BOSS"}},
			"the container does not set CXPULSE_REP_SUPERVISOR"},
		{"outreach monitor missing", []edit{{"k8s/base/outreach-service.yaml",
			"      app.kubernetes.io/component: outreach\n  endpoints:", "      app.kubernetes.io/component: outreachx\n  endpoints:"}},
			"scraping Service cxpulse-outreach, found 0"},
		{"processors open to every pod", []edit{{netpol, "  ingress:\n    - from:\n", "  ingress:\n    - ports:\n        - port: http\n    - from:\n"}},
			"an ingress rule without from admits every pod"},
		{"outreach peer any pod", []edit{{netpol, "        - namespaceSelector: {}\n          podSelector:\n            matchLabels:\n              app.kubernetes.io/name: oauth2-proxy\n",
			"        - namespaceSelector: {}\n"}}, "an ingress peer without a podSelector admits every pod"},
		{"outreach open to the world", []edit{{netpol, "        - namespaceSelector: {}\n          podSelector:\n            matchLabels:\n              app.kubernetes.io/name: oauth2-proxy\n",
			"        - ipBlock:\n            cidr: 0.0.0.0/0\n"}}, "admits nearly every address"},
		{"outreach peer other pods", []edit{{netpol, "app.kubernetes.io/name: oauth2-proxy", "app.kubernetes.io/name: debug-shell"}},
			"which are none of"},
		{"outreach egress to processors", []edit{{netpol, "- port: 9464", "- port: 9000"}}, "egress to port 9464"},
		{"ingress header not passed", []edit{{ingress, "auth-response-headers: X-Auth-Request-User, X-Auth-Request-Email",
			"auth-response-headers: X-Auth-Request-Email"}}, "does not pass outreach.identity_header X-Auth-Request-User"},
		{"ingress without proxy", []edit{{ingress, "    nginx.ingress.kubernetes.io/auth-url: http://oauth2-proxy.oauth2-proxy.svc.cluster.local/oauth2/auth\n", ""}},
			"no authenticating proxy"},
		{"ingress to the processors", []edit{{ingress, "name: cxpulse-outreach\n                port:\n                  name: http",
			"name: cxpulse-metrics\n                port:\n                  name: metrics"}}, "which is not the outreach service"},
		{"ingress without tls", []edit{{ingress, "  tls:\n    - hosts:\n        - outreach.example.com\n      secretName: cxpulse-outreach-tls\n", ""}},
			"no tls"},
		{"prod without ingress", []edit{{"k8s/overlays/prod/kustomization.yaml", "  - ingress.yaml\n", ""}},
			"prod: no Ingress in front of the outreach service"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			results := runValidation(t, copyRepo(t, tc.edits...), nil)
			var all []string
			for _, r := range results {
				for _, p := range r.problems {
					if strings.Contains(p, tc.want) {
						return
					}
					all = append(all, r.dir+": "+p)
				}
			}
			t.Errorf("no problem mentions %q; got %v", tc.want, all)
		})
	}
}

// A stand-in binary checks that the dry-run gets the config file and the pod's environment.
func TestDryRunGetsConfigAndPodEnvironment(t *testing.T) {
	root := copyRepo(t)
	fake := filepath.Join(t.TempDir(), "cxpulse")
	script := `#!/bin/sh
case "$*" in *--help*) echo "  --dry-run  validate and exit"; exit 0 ;; esac
if [ "$1" = outreach ]; then
  [ -n "$CXPULSE_REP_SUPERVISOR" ] || { echo "no rep token"; exit 2; }
  grep -q "identity_header: X-Auth-Request-User" "$3" || { echo "outreach.identity_header: changed"; exit 2; }
  exit 0
fi
[ "$CXPULSE_INSTANCE_ID" = cxpulse-0 ] || { echo "no instance id"; exit 2; }
if grep -q SASL_SSL "$3"; then
  [ -n "$KAFKA_SASL_PASSWORD" ] || { echo "no password"; exit 2; }
fi
grep -q "call_target: 20s" "$3" || { echo "rules.sla.call_target: changed"; exit 2; }
exit 0
`
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cc, note := newConfigChecker(root, fake)
	if cc.binary == "" {
		t.Fatalf("the stand-in was not taken for a dry-run binary: %s", note)
	}
	for _, r := range runValidation(t, root, cc) {
		if len(r.problems) > 0 {
			t.Errorf("%s: %v", r.dir, r.problems)
		}
	}
	bad := copyRepo(t, edit{baseConf, "call_target: 20s", "call_target: 21s"})
	found := false
	for _, r := range runValidation(t, bad, cc) {
		for _, p := range r.problems {
			found = found || strings.Contains(p, "dry-run rejects the ConfigMap's config: rules.sla.call_target")
		}
	}
	if !found {
		t.Error("a config the binary rejects passed")
	}
}

func TestDockerfileRuntimePackages(t *testing.T) {
	pkgs, err := runtimePackages("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	have := strings.Join(pkgs, " ")
	for _, want := range []string{"librdkafka1", "libsimdjson14", "libyaml-cpp0.7", "libzstd1"} {
		if !strings.Contains(" "+have+" ", " "+want+" ") {
			t.Errorf("runtime stage packages %q lack %s", have, want)
		}
	}
	if strings.Contains(have, "-dev") || strings.Contains(have, "cmake") {
		t.Errorf("build packages in the runtime stage: %s", have)
	}
}

// /bin/ls needs libselinux1, which the image does not install: the check must say so.
func TestImageLibrariesMissingPackage(t *testing.T) {
	if _, err := exec.LookPath("dpkg"); err != nil {
		t.Skip("no dpkg on this machine")
	}
	r := checkImageLibraries("../..", "/bin/ls")
	if !strings.Contains(strings.Join(r.problems, "\n"), "libselinux1") {
		t.Errorf("expected a problem naming libselinux1, got %v", r.problems)
	}
}
