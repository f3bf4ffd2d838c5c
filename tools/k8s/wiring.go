package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// checkServices: the StatefulSet's governing Service is headless, and every Service selects the
// processor pods and forwards to the container's http port.
func (c *checker) checkServices() {
	services := objectsOf[corev1.Service](c)
	governing := false
	for _, s := range services {
		if s.Name == c.sts.Spec.ServiceName {
			governing = true
			if s.Spec.ClusterIP != corev1.ClusterIPNone {
				c.failf("Service %s: the StatefulSet's serviceName must be headless (clusterIP: None)", s.Name)
			}
		}
		if len(s.Spec.Selector) == 0 || !labels.SelectorFromSet(s.Spec.Selector).Matches(c.podLabels()) {
			c.failf("Service %s: selector %v does not select the processor pods", s.Name, s.Spec.Selector)
		}
		if len(s.Spec.Ports) == 0 {
			c.failf("Service %s: no ports", s.Name)
		}
		for _, p := range s.Spec.Ports {
			target := p.TargetPort
			if target.Type == intstr.Int && target.IntVal == 0 {
				target = intstr.FromInt32(p.Port)
			}
			if !c.resolvesToHTTP(target) {
				c.failf("Service %s: port %s targets %s, not the container's %s port",
					s.Name, p.Name, target.String(), kHTTPPortName)
			}
		}
	}
	if !governing {
		c.failf("StatefulSet serviceName %q names no Service", c.sts.Spec.ServiceName)
	}
}

// checkServiceMonitor: it selects exactly one Service (so each pod is scraped once), names one
// of its ports and scrapes /metrics.
func (c *checker) checkServiceMonitor() {
	monitors := objectsOf[monitoringv1.ServiceMonitor](c)
	if len(monitors) != 1 {
		c.failf("expected one ServiceMonitor, found %d", len(monitors))
		return
	}
	m := monitors[0]
	selector, err := metav1.LabelSelectorAsSelector(&m.Spec.Selector)
	if err != nil || selector.Empty() {
		c.failf("ServiceMonitor %s: bad or empty selector", m.Name)
		return
	}
	var selected []*corev1.Service
	for _, s := range objectsOf[corev1.Service](c) {
		if selector.Matches(labels.Set(s.Labels)) {
			selected = append(selected, s)
		}
	}
	if len(selected) != 1 {
		c.failf("ServiceMonitor %s selects %d Services; it must select exactly the metrics Service",
			m.Name, len(selected))
		return
	}
	if len(m.Spec.Endpoints) == 0 {
		c.failf("ServiceMonitor %s: no endpoints", m.Name)
	}
	for _, e := range m.Spec.Endpoints {
		found := false
		for _, p := range selected[0].Spec.Ports {
			found = found || (e.Port != "" && p.Name == e.Port)
		}
		if !found {
			c.failf("ServiceMonitor %s: endpoint port does not name a port of Service %s", m.Name, selected[0].Name)
		}
		if e.Path != kMetricsPath {
			c.failf("ServiceMonitor %s: path %q, the processor serves %s", m.Name, e.Path, kMetricsPath)
		}
	}
}

// checkPrometheusRule: every rule is either an alert or a recording rule with an expression;
// alerts carry a severity and a summary, and scrape-health alerts use the metrics Service's job.
func (c *checker) checkPrometheusRule() {
	rules := objectsOf[monitoringv1.PrometheusRule](c)
	if len(rules) != 1 {
		c.failf("expected one PrometheusRule, found %d", len(rules))
		return
	}
	count := 0
	for _, g := range rules[0].Spec.Groups {
		for _, r := range g.Rules {
			count++
			name := r.Alert + r.Record
			if (r.Alert == "") == (r.Record == "") {
				c.failf("PrometheusRule %s: a rule must have exactly one of alert and record", g.Name)
			}
			if strings.TrimSpace(r.Expr.String()) == "" {
				c.failf("PrometheusRule %s: rule %s has no expr", g.Name, name)
			}
			if strings.Count(r.Expr.String(), "(") != strings.Count(r.Expr.String(), ")") {
				c.failf("PrometheusRule %s: rule %s has unbalanced parentheses", g.Name, name)
			}
			if r.Alert != "" && (r.Labels["severity"] == "" || r.Annotations["summary"] == "") {
				c.failf("PrometheusRule %s: alert %s needs a severity label and a summary", g.Name, name)
			}
			if strings.Contains(r.Expr.String(), "job=") &&
				!strings.Contains(r.Expr.String(), fmt.Sprintf("job=%q", c.metricsServiceName())) {
				c.failf("PrometheusRule: alert %s filters on a job other than %s", name, c.metricsServiceName())
			}
		}
	}
	if count == 0 {
		c.failf("PrometheusRule %s has no rules", rules[0].Name)
	}
}

// metricsServiceName is the Service the ServiceMonitor scrapes; Prometheus names the job after it.
func (c *checker) metricsServiceName() string {
	for _, s := range objectsOf[corev1.Service](c) {
		if s.Spec.ClusterIP != corev1.ClusterIPNone {
			return s.Name
		}
	}
	return ""
}

func (c *checker) checkDisruptionBudget() {
	pdbs := objectsOf[policyv1.PodDisruptionBudget](c)
	if len(pdbs) != 1 {
		c.failf("expected one PodDisruptionBudget, found %d", len(pdbs))
		return
	}
	p := pdbs[0]
	selector, err := metav1.LabelSelectorAsSelector(p.Spec.Selector)
	if err != nil || selector.Empty() || !selector.Matches(c.podLabels()) {
		c.failf("PodDisruptionBudget %s does not select the StatefulSet's pods", p.Name)
	}
	if (p.Spec.MaxUnavailable == nil) == (p.Spec.MinAvailable == nil) {
		c.failf("PodDisruptionBudget %s: set exactly one of maxUnavailable and minAvailable", p.Name)
	}
}

// checkNetworkPolicy: the policy selects the pods, admits the http port and lets them reach DNS
// and every broker port named in kafka.bootstrap_servers.
func (c *checker) checkNetworkPolicy() {
	policies := objectsOf[networkingv1.NetworkPolicy](c)
	if len(policies) != 1 {
		c.failf("expected one NetworkPolicy, found %d", len(policies))
		return
	}
	np := policies[0]
	selector, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
	if err != nil || selector.Empty() || !selector.Matches(c.podLabels()) {
		c.failf("NetworkPolicy %s does not select the processor pods", np.Name)
	}
	admitsHTTP := false
	for _, rule := range np.Spec.Ingress {
		if len(rule.Ports) == 0 {
			admitsHTTP = true
		}
		for _, p := range rule.Ports {
			admitsHTTP = admitsHTTP || (p.Port != nil && c.resolvesToHTTP(*p.Port))
		}
	}
	if !admitsHTTP {
		c.failf("NetworkPolicy %s: no ingress rule admits the %s port (probes, Prometheus)", np.Name, kHTTPPortName)
	}
	egressAllows := func(port int32) bool {
		for _, rule := range np.Spec.Egress {
			if len(rule.Ports) == 0 {
				return true
			}
			for _, p := range rule.Ports {
				if p.Port != nil && p.Port.Type == intstr.Int &&
					(p.Port.IntVal == port || (p.EndPort != nil && p.Port.IntVal <= port && port <= *p.EndPort)) {
					return true
				}
			}
		}
		return false
	}
	if !egressAllows(53) {
		c.failf("NetworkPolicy %s: egress to DNS (53) is not allowed", np.Name)
	}
	if c.proc != nil {
		for _, port := range c.proc.brokerPorts() {
			if !egressAllows(port) {
				c.failf("NetworkPolicy %s: egress to broker port %d (kafka.bootstrap_servers) is not allowed",
					np.Name, port)
			}
		}
	}
}

// checkSecretsDocumented: every Secret and key the pod reads is named in docs/operations.md,
// so an engineer knows what to create before applying.
func (c *checker) checkSecretsDocumented() {
	doc, err := os.ReadFile(filepath.Join(c.root, "docs", "operations.md"))
	if err != nil {
		c.failf("docs/operations.md: %v", err)
		return
	}
	text := string(doc)
	need := func(secret, key string) {
		for _, s := range []string{secret, key} {
			if !strings.Contains(text, "`"+s+"`") {
				c.failf("docs/operations.md does not document `%s` (Secret %s, key %s)", s, secret, key)
			}
		}
	}
	for _, e := range c.container.Env {
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			need(e.ValueFrom.SecretKeyRef.Name, e.ValueFrom.SecretKeyRef.Key)
		}
	}
	for _, v := range c.sts.Spec.Template.Spec.Volumes {
		if v.Secret != nil {
			for _, item := range v.Secret.Items {
				need(v.Secret.SecretName, item.Key)
			}
		}
	}
}

// checkNamespace: an overlay that puts the objects into a namespace also creates it, so
// `kubectl apply -k` works in an empty cluster.
func (c *checker) checkNamespace() {
	namespace := c.sts.Namespace
	if namespace == "" {
		return
	}
	for _, ns := range objectsOf[corev1.Namespace](c) {
		if ns.Name == namespace {
			return
		}
	}
	c.failf("the objects are in namespace %q but no Namespace resource creates it", namespace)
}

// checkProd: a production overlay pins its image and runs in a namespace that enforces the
// restricted Pod Security Standard.
func (c *checker) checkProd() {
	image := c.container.Image
	if i := strings.LastIndex(image, ":"); i < 0 || strings.Contains(image[i:], "/") || image[i+1:] == "latest" {
		c.failf("prod: image %q must be pinned to a tag other than latest", image)
	}
	restricted := false
	for _, ns := range objectsOf[corev1.Namespace](c) {
		restricted = restricted || ns.Labels["pod-security.kubernetes.io/enforce"] == "restricted"
	}
	if !restricted {
		c.failf("prod: no Namespace enforcing pod-security.kubernetes.io/enforce=restricted")
	}
	if *c.sts.Spec.Replicas < 2 {
		c.failf("prod: fewer than 2 replicas")
	}
}
