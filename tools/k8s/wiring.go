package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// checkServices: the StatefulSet's governing Service is headless, and every Service but the
// outreach service's (checkOutreach) selects the processor pods and forwards to the container's
// http port.
func (c *checker) checkServices() {
	services := objectsOf[corev1.Service](c)
	governing := false
	for _, s := range services {
		if c.selectsOutreach(s.Spec.Selector) {
			continue
		}
		if s.Name == c.sts.Spec.ServiceName {
			governing = true
			if s.Spec.ClusterIP != corev1.ClusterIPNone {
				c.failf("Service %s: the StatefulSet's serviceName must be headless (clusterIP: None)", s.Name)
			}
		}
		if len(s.Spec.Selector) == 0 || !labels.SelectorFromSet(s.Spec.Selector).Matches(c.podLabels()) {
			c.failf("Service %s: selector %v does not select the processor pods", s.Name, s.Spec.Selector)
		}
		c.checkServiceTargets(s)
	}
	if !governing {
		c.failf("StatefulSet serviceName %q names no Service", c.sts.Spec.ServiceName)
	}
}

// checkServiceTargets: the Service has ports, each forwarding to the container's http port.
func (c *checker) checkServiceTargets(s *corev1.Service) {
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

// checkServiceMonitor: every ServiceMonitor selects exactly one Service (so each pod is scraped
// once), names one of its ports and scrapes /metrics; exactly one scrapes the processors.
func (c *checker) checkServiceMonitor() {
	processors := 0
	for _, m := range objectsOf[monitoringv1.ServiceMonitor](c) {
		if s := c.checkMonitor(m); s != nil && c.selectsPods(s.Spec.Selector, c.podLabels()) {
			processors++
		}
	}
	if processors != 1 {
		c.failf("expected one ServiceMonitor scraping the processors, found %d", processors)
	}
}

// checkMonitor checks one ServiceMonitor and returns the Service it scrapes (nil when broken).
func (c *checker) checkMonitor(m *monitoringv1.ServiceMonitor) *corev1.Service {
	selector, err := metav1.LabelSelectorAsSelector(&m.Spec.Selector)
	if err != nil || selector.Empty() {
		c.failf("ServiceMonitor %s: bad or empty selector", m.Name)
		return nil
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
		return nil
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
	return selected[0]
}

// scrapedServices are the Services the ServiceMonitors select; Prometheus names each job after
// its Service.
func (c *checker) scrapedServices() []string {
	var names []string
	for _, m := range objectsOf[monitoringv1.ServiceMonitor](c) {
		selector, err := metav1.LabelSelectorAsSelector(&m.Spec.Selector)
		if err != nil || selector.Empty() {
			continue
		}
		for _, s := range objectsOf[corev1.Service](c) {
			if selector.Matches(labels.Set(s.Labels)) {
				names = append(names, s.Name)
			}
		}
	}
	sort.Strings(names)
	return names
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
			jobs := c.scrapedServices()
			known := false
			for _, job := range jobs {
				known = known || strings.Contains(r.Expr.String(), fmt.Sprintf("job=%q", job))
			}
			if strings.Contains(r.Expr.String(), "job=") && !known {
				c.failf("PrometheusRule: alert %s filters on a job other than %s", name, strings.Join(jobs, " or "))
			}
		}
	}
	if count == 0 {
		c.failf("PrometheusRule %s has no rules", rules[0].Name)
	}
}

// checkDisruptionBudget: every budget selects the processors or the outreach pods, exactly one
// the processors.
func (c *checker) checkDisruptionBudget() {
	processors := 0
	for _, p := range objectsOf[policyv1.PodDisruptionBudget](c) {
		selector, err := metav1.LabelSelectorAsSelector(p.Spec.Selector)
		switch {
		case err == nil && !selector.Empty() && selector.Matches(c.podLabels()):
			processors++
		case err == nil && !selector.Empty() && c.outreachLabels() != nil && selector.Matches(c.outreachLabels()):
		default:
			c.failf("PodDisruptionBudget %s does not select the StatefulSet's pods (nor the outreach pods)", p.Name)
		}
		if (p.Spec.MaxUnavailable == nil) == (p.Spec.MinAvailable == nil) {
			c.failf("PodDisruptionBudget %s: set exactly one of maxUnavailable and minAvailable", p.Name)
		}
	}
	if processors != 1 {
		c.failf("expected one PodDisruptionBudget of the processors, found %d", processors)
	}
}

// checkNetworkPolicy: one policy selects the processor pods, admits the http port only from
// Prometheus and cxpulse pods (the outreach service, the other processors) and lets them reach
// DNS and every broker port named in kafka.bootstrap_servers.
func (c *checker) checkNetworkPolicy() {
	np := c.policyFor(c.podLabels(), "processor")
	if np == nil {
		return
	}
	peers := []peer{{"Prometheus", kPrometheusPods, true}, {"the cxpulse pods", labels.Set(c.podLabels()), true}}
	if c.outreachLabels() != nil {
		peers = append(peers, peer{"the outreach pods", c.outreachLabels(), true})
	}
	c.checkIngressPeers(np, peers)
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
	egressAllows := func(port int32) bool { return egressAllows(np, port) }
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

// egressAllows tells whether the policy lets its pods open connections to `port`.
func egressAllows(np *networkingv1.NetworkPolicy, port int32) bool {
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
	for _, v := range c.template.Spec.Volumes {
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
