package main

import (
	"fmt"
	"net"
	"path"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// What the outreach service (`cxpulse outreach`, runtime/config/outreach_config.h) serves and
// reads, and the pods allowed to reach customer data (k8s/base/networkpolicy.yaml).
const (
	kOutreachCommand   = "outreach"
	kProcessorHTTPPort = 9464 // http.listen's default; the outreach service asks processors there
	kAuthURL           = "nginx.ingress.kubernetes.io/auth-url"
	kAuthSignin        = "nginx.ingress.kubernetes.io/auth-signin"
	kAuthHeaders       = "nginx.ingress.kubernetes.io/auth-response-headers"
)

var (
	kPrometheusPods = labels.Set{"app.kubernetes.io/name": "prometheus"}
	kIngressPods    = labels.Set{"app.kubernetes.io/name": "ingress-nginx"}
	kProxyPods      = labels.Set{"app.kubernetes.io/name": "oauth2-proxy"}
)

// outreachDeployment is the one Deployment (the outreach service), or nil.
func (c *checker) outreachDeployment() *appsv1.Deployment {
	if deps := objectsOf[appsv1.Deployment](c); len(deps) == 1 {
		return deps[0]
	}
	return nil
}

// outreachLabels are the outreach pods' labels, or nil without a Deployment.
func (c *checker) outreachLabels() labels.Set {
	if d := c.outreachDeployment(); d != nil {
		return d.Spec.Template.Labels
	}
	return nil
}

func (c *checker) selectsPods(selector map[string]string, pods labels.Set) bool {
	return len(selector) > 0 && pods != nil && labels.SelectorFromSet(selector).Matches(pods)
}

func (c *checker) selectsOutreach(selector map[string]string) bool {
	return c.selectsPods(selector, c.outreachLabels())
}

// policyFor is the one NetworkPolicy selecting `pods`, or nil (reported).
func (c *checker) policyFor(pods labels.Set, what string) *networkingv1.NetworkPolicy {
	var found []*networkingv1.NetworkPolicy
	for _, np := range objectsOf[networkingv1.NetworkPolicy](c) {
		selector, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
		if err == nil && !selector.Empty() && selector.Matches(pods) {
			found = append(found, np)
		}
	}
	if len(found) != 1 {
		c.failf("expected one NetworkPolicy selecting the %s pods, found %d", what, len(found))
		return nil
	}
	return found[0]
}

// peer is a kind of pod a NetworkPolicy may admit: named, by its labels.
type peer struct {
	what   string
	pods   labels.Set
	needed bool
}

// checkIngressPeers: every ingress rule names its peers, each by a non-empty podSelector that
// selects one of `allowed` (never every pod) or by an address block narrower than /8, and every
// needed peer is admitted. Returns which peers are admitted.
func (c *checker) checkIngressPeers(np *networkingv1.NetworkPolicy, allowed []peer) map[string]bool {
	admitted := map[string]bool{}
	var names []string
	for _, a := range allowed {
		names = append(names, a.what)
	}
	for _, rule := range np.Spec.Ingress {
		if len(rule.From) == 0 {
			c.failf("NetworkPolicy %s: an ingress rule without from admits every pod", np.Name)
			continue
		}
		for _, f := range rule.From {
			if f.IPBlock != nil {
				// Allowed for what has no pod labels (e.g. a node CIDR where the CNI filters the
				// kubelet's probes), never for (nearly) every address.
				if _, block, err := net.ParseCIDR(f.IPBlock.CIDR); err != nil {
					c.failf("NetworkPolicy %s: ipBlock %q is not a CIDR", np.Name, f.IPBlock.CIDR)
				} else if ones, _ := block.Mask.Size(); ones < 8 {
					c.failf("NetworkPolicy %s: ingress from ipBlock %s admits nearly every address; admit pods by label",
						np.Name, f.IPBlock.CIDR)
				}
				continue
			}
			var selector labels.Selector
			var err error
			if f.PodSelector != nil {
				selector, err = metav1.LabelSelectorAsSelector(f.PodSelector)
			}
			if f.PodSelector == nil || err != nil || selector.Empty() {
				c.failf("NetworkPolicy %s: an ingress peer without a podSelector admits every pod", np.Name)
				continue
			}
			matched := false
			for _, a := range allowed {
				if selector.Matches(a.pods) {
					admitted[a.what], matched = true, true
				}
			}
			if !matched {
				c.failf("NetworkPolicy %s: ingress from pods %v, which are none of %s", np.Name,
					f.PodSelector.MatchLabels, strings.Join(names, ", "))
			}
		}
	}
	for _, a := range allowed {
		if a.needed && !admitted[a.what] {
			c.failf("NetworkPolicy %s: no ingress rule admits %s", np.Name, a.what)
		}
	}
	return admitted
}

// checkOutreach checks the outreach service's objects: its Deployment (pod security, probes,
// resources as for the processors), config (against the processors' and with `cxpulse outreach
// --dry-run`), Service, ServiceMonitor, disruption budget, NetworkPolicy and the Ingress in
// front of it. Problems are prefixed "outreach: ".
func (c *checker) checkOutreach() {
	deps := objectsOf[appsv1.Deployment](c)
	if len(deps) != 1 {
		c.failf("expected exactly one Deployment (the outreach service), found %d", len(deps))
		return
	}
	d := deps[0]
	o := &checker{overlay: c.overlay, root: c.root, objs: c.objs, config: c.config, sts: c.sts,
		template: &d.Spec.Template}
	o.container = findContainer(o.template)
	if o.container == nil {
		c.failf("outreach: Deployment %s has no container named %q", d.Name, kContainer)
		return
	}
	o.checkDeployment(d)
	o.checkPodSecurity()
	ct := o.container
	if len(ct.Args) < 3 || ct.Args[0] != kOutreachCommand || ct.Args[1] != "--config" || !path.IsAbs(ct.Args[2]) {
		o.failf("container: args must be [outreach, --config, /absolute/path.yaml], got %v", ct.Args)
	}
	o.checkContainerBasics()
	o.checkProbes()
	cfg := o.loadProcessorConfig()
	if cfg != nil {
		o.checkOutreachConfig(cfg, c.proc)
		o.checkOutreachIngress(cfg)
	}
	o.checkOutreachWiring(cfg)
	o.checkSecretsDocumented()
	if c.overlay == "prod" {
		if ct.Image != c.container.Image {
			o.failf("prod: image %q differs from the processors' %q", ct.Image, c.container.Image)
		}
		if len(objectsOf[networkingv1.Ingress](c)) == 0 {
			o.failf("prod: no Ingress in front of the outreach service")
		}
	}
	for _, p := range o.problems {
		c.problems = append(c.problems, "outreach: "+p)
	}
}

func (c *checker) checkDeployment(d *appsv1.Deployment) {
	s := d.Spec
	if s.Selector == nil || !c.selectsPods(s.Selector.MatchLabels, d.Spec.Template.Labels) {
		c.failf("Deployment %s: selector does not match the pod template labels", d.Name)
	}
	if c.selectsPods(s.Selector.MatchLabels, c.sts.Spec.Template.Labels) {
		c.failf("Deployment %s: selector also selects the processor pods", d.Name)
	}
	if err := checkLabels("pod template labels", d.Spec.Template.Labels); err != nil {
		c.failf("Deployment %s: %v", d.Name, err)
	}
	minimum := int32(1)
	if c.overlay != "dev" {
		minimum = 2 // every replica serves the whole queue: two keep reps working through a restart
	}
	if s.Replicas == nil || *s.Replicas < minimum {
		c.failf("Deployment %s: spec.replicas must be at least %d", d.Name, minimum)
	}
	if s.Strategy.Type == appsv1.RecreateDeploymentStrategyType {
		c.failf("Deployment %s: strategy Recreate leaves reps without the queue during a rollout", d.Name)
	}
}

// checkOutreachConfig: the outreach config listens on the container's http port, reads the
// processors' alerts topic from their brokers, finds every rep token and ${ENV} in the pod's
// environment and every file it names mounted, outlives a command's read-back on SIGTERM, and
// passes `cxpulse outreach --dry-run`.
func (c *checker) checkOutreachConfig(p *processorConfig, proc *processorConfig) {
	listen := p.str("outreach", "listen", "0.0.0.0:9465")
	if i := strings.LastIndex(listen, ":"); i < 0 || listen[i+1:] != strconv.Itoa(int(c.httpPort())) {
		c.failf("config outreach.listen %q does not listen on the container's %s port %d",
			listen, kHTTPPortName, c.httpPort())
	}
	topics, _ := p.section("outreach")["topics"].(map[string]any)
	alerts := "cx.alerts"
	if v, ok := topics["alerts"]; ok {
		alerts = fmt.Sprint(v)
	}
	if proc != nil {
		procTopics, _ := proc.section("kafka")["topics"].(map[string]any)
		procAlerts := "cx.alerts"
		if v, ok := procTopics["alerts"]; ok {
			procAlerts = fmt.Sprint(v)
		}
		if alerts != procAlerts {
			c.failf("config outreach.topics.alerts %q is not the processors' kafka.topics.alerts %q", alerts, procAlerts)
		}
		if a, b := p.str("kafka", "bootstrap_servers", ""), proc.str("kafka", "bootstrap_servers", ""); a != b {
			c.failf("config kafka.bootstrap_servers %q is not the processors' %q", a, b)
		}
	}
	env := map[string]bool{}
	for _, e := range c.container.Env {
		env[e.Name] = true
	}
	reps, _ := p.section("outreach")["reps"].([]any)
	for i, r := range reps {
		rep, _ := r.(map[string]any)
		name := fmt.Sprint(rep["token_env"])
		if !env[name] {
			c.failf("config outreach.reps[%d].token_env %s: the container does not set %s", i, name, name)
		}
	}
	if len(reps) == 0 && p.str("outreach", "identity_header", "") == "" {
		c.failf("config outreach: neither reps nor identity_header: nobody can act as a rep")
	}
	c.checkConfigValues(p)
	timeout, err := parseDuration(p.str("outreach", "command_timeout", "10s"))
	grace := c.template.Spec.TerminationGracePeriodSeconds
	if err != nil {
		c.failf("config outreach.command_timeout: %v", err)
	} else if grace != nil && time.Duration(*grace)*time.Second <= timeout {
		c.failf("terminationGracePeriodSeconds %d is not longer than outreach.command_timeout %v", *grace, timeout)
	}
	c.config.checkAs(c, p, kOutreachCommand)
}

// checkOutreachIngress: every Ingress routes to the outreach Service only (never to the
// processors), over TLS, behind external authentication whose response headers carry
// outreach.identity_header.
func (c *checker) checkOutreachIngress(p *processorConfig) {
	header := p.str("outreach", "identity_header", "")
	for _, ing := range objectsOf[networkingv1.Ingress](c) {
		var backends []*networkingv1.IngressBackend
		if ing.Spec.DefaultBackend != nil {
			backends = append(backends, ing.Spec.DefaultBackend)
		}
		for _, r := range ing.Spec.Rules {
			if r.HTTP == nil {
				continue
			}
			for i := range r.HTTP.Paths {
				backends = append(backends, &r.HTTP.Paths[i].Backend)
			}
		}
		if len(backends) == 0 {
			c.failf("Ingress %s: no backend", ing.Name)
		}
		for _, b := range backends {
			c.checkIngressBackend(ing.Name, b)
		}
		if len(ing.Spec.TLS) == 0 {
			c.failf("Ingress %s: no tls: reps' sessions would cross the network in clear", ing.Name)
		}
		a := ing.Annotations
		if a[kAuthURL] == "" || a[kAuthSignin] == "" {
			c.failf("Ingress %s: no authenticating proxy (%s and %s, e.g. oauth2-proxy)", ing.Name, kAuthURL, kAuthSignin)
		}
		if header == "" {
			c.failf("Ingress %s: config outreach.identity_header is empty, so the proxy's user is not read", ing.Name)
			continue
		}
		found := false
		for _, h := range strings.Split(a[kAuthHeaders], ",") {
			found = found || strings.EqualFold(strings.TrimSpace(h), header)
		}
		if !found {
			c.failf("Ingress %s: %s %q does not pass outreach.identity_header %s", ing.Name, kAuthHeaders,
				a[kAuthHeaders], header)
		}
	}
}

func (c *checker) checkIngressBackend(ingress string, b *networkingv1.IngressBackend) {
	if b.Service == nil {
		c.failf("Ingress %s: a backend is not a Service", ingress)
		return
	}
	for _, s := range objectsOf[corev1.Service](c) {
		if s.Name != b.Service.Name {
			continue
		}
		if !c.selectsPods(s.Spec.Selector, c.template.Labels) {
			c.failf("Ingress %s: routes to Service %s, which is not the outreach service", ingress, s.Name)
			return
		}
		for _, p := range s.Spec.Ports {
			if (b.Service.Port.Name != "" && p.Name == b.Service.Port.Name) ||
				(b.Service.Port.Number != 0 && p.Port == b.Service.Port.Number) {
				return
			}
		}
		c.failf("Ingress %s: Service %s has no port %s%d", ingress, s.Name, b.Service.Port.Name, b.Service.Port.Number)
		return
	}
	c.failf("Ingress %s: routes to Service %s, which is not in the manifests", ingress, b.Service.Name)
}

// checkOutreachWiring: one Service selects the outreach pods and forwards to their http port,
// one ServiceMonitor scrapes it, one budget keeps a replica, and one NetworkPolicy admits only
// the ingress controller or oauth2-proxy and Prometheus, and lets the pods reach DNS, the
// brokers of its config `cfg` (nil when unreadable) and the processors' http port.
func (c *checker) checkOutreachWiring(cfg *processorConfig) {
	pods := labels.Set(c.template.Labels)
	var services []*corev1.Service
	for _, s := range objectsOf[corev1.Service](c) {
		if c.selectsPods(s.Spec.Selector, pods) {
			services = append(services, s)
			c.checkServiceTargets(s)
		}
	}
	if len(services) != 1 {
		c.failf("expected one Service selecting the outreach pods, found %d", len(services))
		return
	}
	monitors := 0
	for _, name := range c.scrapedServices() {
		if name == services[0].Name {
			monitors++
		}
	}
	if monitors != 1 {
		c.failf("expected one ServiceMonitor scraping Service %s, found %d", services[0].Name, monitors)
	}
	budgets := 0
	for _, p := range objectsOf[policyv1.PodDisruptionBudget](c) {
		selector, err := metav1.LabelSelectorAsSelector(p.Spec.Selector)
		if err == nil && !selector.Empty() && selector.Matches(pods) {
			budgets++
		}
	}
	if budgets != 1 {
		c.failf("expected one PodDisruptionBudget of the outreach pods, found %d", budgets)
	}
	np := c.policyFor(pods, "outreach")
	if np == nil {
		return
	}
	admitted := c.checkIngressPeers(np, []peer{
		{"the ingress controller", kIngressPods, false},
		{"oauth2-proxy", kProxyPods, false},
		{"Prometheus", kPrometheusPods, true},
	})
	if !admitted["the ingress controller"] && !admitted["oauth2-proxy"] {
		c.failf("NetworkPolicy %s: admits neither the ingress controller nor oauth2-proxy: reps cannot reach the page", np.Name)
	}
	ports := []int32{53, kProcessorHTTPPort}
	if cfg != nil {
		ports = append(ports, cfg.brokerPorts()...)
	}
	for _, port := range ports {
		if !egressAllows(np, port) {
			c.failf("NetworkPolicy %s: egress to port %d (DNS, processors, brokers) is not allowed", np.Name, port)
		}
	}
}
